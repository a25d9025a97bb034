"""Click through each example in headless Chromium: list → next page → detail → a form posted
invalid, then valid → the new member's audit entry appears live on the other tab; and the
Django admin: log in, add, edit, search, delete."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from launcher import ExampleSite
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

Wait = Callable[[Callable[[Any], Any]], Any]


def serve(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleSite]:
    with ExampleSite(kind, tmp_path_factory.mktemp(f"{kind}-site")) as site:  # type: ignore[arg-type]
        yield site


@pytest.fixture(scope="module")
def django_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleSite]:
    yield from serve("django", tmp_path_factory)


@pytest.fixture(scope="module")
def flask_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleSite]:
    yield from serve("flask", tmp_path_factory)


def text_of(browser: Any, css: str) -> str:
    return str(browser.find_element(By.CSS_SELECTOR, css).text)


def fill(browser: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = browser.find_element(By.NAME, name)
        field.clear()
        if value:
            field.send_keys(value)


@pytest.mark.parametrize("kind", ["django", "flask"])
def test_click_through_the_example(
    kind: str,
    request: pytest.FixtureRequest,
    browser: Any,
    wait: Wait,
    screenshot: Callable[[str], None],
) -> None:
    site: ExampleSite = request.getfixturevalue(f"{kind}_site")
    browser.get(site.url + "/")
    wait(ec.text_to_be_present_in_element((By.ID, "page-number"), "Page 1 of 3"))
    assert "ada.lovelace" in text_of(browser, "#people")
    screenshot(f"{kind}-list")

    browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    wait(ec.text_to_be_present_in_element((By.ID, "page-number"), "Page 2 of 3"))
    first = browser.find_element(By.CSS_SELECTOR, "#people tbody a")
    username = first.text
    first.click()
    wait(ec.text_to_be_present_in_element((By.ID, "username"), username))
    assert text_of(browser, "#profile")  # resolved profile
    assert text_of(browser, "#roles")  # resolved roles
    screenshot(f"{kind}-detail")

    # The live page, in a second tab, subscribed before anything is created.
    list_tab = browser.current_window_handle
    browser.switch_to.new_window("tab")
    live_tab = browser.current_window_handle
    browser.get(site.url + "/live/")
    wait(ec.text_to_be_present_in_element((By.ID, "live-status"), "live"))

    browser.switch_to.window(list_tab)
    browser.get(site.url + "/")
    browser.find_element(By.LINK_TEXT, "Add a member").click()
    wait(ec.presence_of_element_located((By.ID, "member-form")))
    fill(browser, {"username": "", "email": "not-an-email"})
    browser.find_element(By.CSS_SELECTOR, "#member-form button[type=submit]").click()
    wait(ec.presence_of_element_located((By.ID, "id_email_error")))
    assert "This field is required." in text_of(browser, "#id_username_error")
    assert "valid email" in text_of(browser, "#id_email_error")
    screenshot(f"{kind}-form-errors")

    newcomer = f"{kind}.newcomer"
    fill(browser, {"username": newcomer, "email": f"{newcomer}@example.com"})
    browser.find_element(By.CSS_SELECTOR, "#member-form button[type=submit]").click()
    wait(ec.text_to_be_present_in_element((By.ID, "username"), newcomer))

    browser.switch_to.window(live_tab)
    wait(ec.text_to_be_present_in_element((By.ID, "audit"), newcomer))
    assert "CREATE" in text_of(browser, "#audit li.new")
    screenshot(f"{kind}-live")
    browser.close()
    browser.switch_to.window(list_tab)


def test_django_admin_add_edit_search_delete(
    django_site: ExampleSite, browser: Any, wait: Wait, screenshot: Callable[[str], None]
) -> None:
    url = django_site.url
    browser.delete_all_cookies()
    browser.get(url + "/admin/login/")
    fill(browser, {"username": "admin", "password": django_site.admin_password})
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait(ec.presence_of_element_located((By.ID, "user-tools")))

    browser.get(url + "/admin/directory/user/add/")
    fill(browser, {"id": "user-admin-made", "username": "admin.made", "email": "made@example.com"})
    browser.find_element(By.NAME, "_save").click()
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messagelist"), "was added"))
    assert "admin.made" in text_of(browser, "#result_list")

    browser.find_element(By.LINK_TEXT, "admin.made").click()
    wait(ec.presence_of_element_located((By.NAME, "email")))
    fill(browser, {"email": "edited@example.com"})
    browser.find_element(By.NAME, "_save").click()
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messagelist"), "was changed"))
    assert "edited@example.com" in text_of(browser, "#result_list")

    fill(browser, {"q": "edited@"})
    browser.find_element(By.CSS_SELECTOR, "#changelist-search input[type=submit]").click()
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".paginator"), "1 member"))
    assert "admin.made" in text_of(browser, "#result_list")
    screenshot("django-admin-search")

    browser.find_element(By.LINK_TEXT, "admin.made").click()
    wait(ec.presence_of_element_located((By.CSS_SELECTOR, "a.deletelink")))
    browser.find_element(By.CSS_SELECTOR, "a.deletelink").click()
    wait(ec.presence_of_element_located((By.CSS_SELECTOR, "input[type=submit]")))
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messagelist"), "was deleted"))
    assert "admin.made" not in text_of(browser, "#content")
