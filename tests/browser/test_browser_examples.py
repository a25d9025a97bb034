"""Click through each example in headless Chromium: list → next page → detail → a form posted
invalid, then valid → the new member's audit entry appears live on the other tab; and the
Django admin: log in, add, edit, search, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from launcher import ExampleSite
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

if TYPE_CHECKING:
    from conftest import Page  # a fixture's type; conftest is never imported at run time

Wait = Callable[[Callable[[Any], Any]], Any]


@pytest.mark.parametrize("kind", ["django", "flask"])
def test_click_through_the_example(
    kind: str,
    request: pytest.FixtureRequest,
    browser: Any,
    page: Page,
    wait: Wait,
    screenshot: Callable[[str], None],
) -> None:
    site: ExampleSite = request.getfixturevalue(f"{kind}_site")
    browser.get(site.url + "/")
    wait(ec.text_to_be_present_in_element((By.ID, "page-number"), "Page 1 of 3"))
    assert "ada.lovelace" in page.text("#people")
    screenshot(f"{kind}-list")

    page.click("a[rel=next]")
    wait(ec.text_to_be_present_in_element((By.ID, "page-number"), "Page 2 of 3"))
    first = browser.find_element(By.CSS_SELECTOR, "#people tbody a")
    username = first.text
    first.click()
    wait(ec.text_to_be_present_in_element((By.ID, "username"), username))
    assert page.text("#profile")  # resolved profile
    assert page.text("#roles")  # resolved roles
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
    page.click("#member-form button[type=submit]", {"username": "", "email": "not-an-email"})
    wait(ec.presence_of_element_located((By.ID, "id_email_error")))
    assert "This field is required." in page.text("#id_username_error")
    assert "valid email" in page.text("#id_email_error")
    screenshot(f"{kind}-form-errors")

    newcomer = f"{kind}.newcomer"
    page.click(
        "#member-form button[type=submit]",
        {"username": newcomer, "email": f"{newcomer}@example.com"},
    )
    wait(ec.text_to_be_present_in_element((By.ID, "username"), newcomer))

    browser.switch_to.window(live_tab)
    wait(ec.text_to_be_present_in_element((By.ID, "audit"), newcomer))
    assert "CREATE" in page.text("#audit li.new")
    screenshot(f"{kind}-live")
    browser.close()
    browser.switch_to.window(list_tab)


def test_django_admin_add_edit_search_delete(
    django_site: ExampleSite,
    browser: Any,
    page: Page,
    wait: Wait,
    screenshot: Callable[[str], None],
) -> None:
    url = django_site.url
    browser.delete_all_cookies()
    browser.get(url + "/admin/login/")
    page.click("input[type=submit]", {"username": "admin", "password": django_site.admin_password})
    wait(ec.presence_of_element_located((By.ID, "user-tools")))

    browser.get(url + "/admin/directory/user/add/")
    page.fill({"id": "user-admin-made", "username": "admin.made", "email": "made@example.com"})
    browser.find_element(By.NAME, "_save").click()
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messagelist"), "was added"))
    assert "admin.made" in page.text("#result_list")

    browser.find_element(By.LINK_TEXT, "admin.made").click()
    wait(ec.presence_of_element_located((By.NAME, "email")))
    page.fill({"email": "edited@example.com"})
    # the editable inline: give the user a role, saved with the user in one cascade request
    role = Select(browser.find_element(By.NAME, "userRoles-0-roleId"))
    role.select_by_index(1)
    chosen = role.first_selected_option.text
    browser.find_element(By.NAME, "_save").click()
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messagelist"), "was changed"))
    assert "edited@example.com" in page.text("#result_list")
    browser.find_element(By.LINK_TEXT, "admin.made").click()
    wait(ec.presence_of_element_located((By.NAME, "userRoles-0-roleId")))
    saved = Select(browser.find_element(By.NAME, "userRoles-0-roleId"))
    assert saved.first_selected_option.text == chosen
    screenshot("django-admin-inline")
    browser.back()
    wait(ec.presence_of_element_located((By.ID, "result_list")))

    page.click("#changelist-search input[type=submit]", {"q": "edited@"})
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".paginator"), "1 member"))
    assert "admin.made" in page.text("#result_list")
    screenshot("django-admin-search")

    browser.find_element(By.LINK_TEXT, "admin.made").click()
    wait(ec.presence_of_element_located((By.CSS_SELECTOR, "a.deletelink")))
    page.click("a.deletelink")
    wait(ec.presence_of_element_located((By.CSS_SELECTOR, "input[type=submit]")))
    page.click("input[type=submit]")
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".messagelist"), "was deleted"))
    assert "admin.made" not in page.text("#content")
