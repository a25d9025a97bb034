"""Flask-Admin in the Flask example (``onyx_flask.admin.OnyxModelView`` on the members table),
clicked through in headless Chromium: list → create (invalid, then valid) → search → edit →
delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from launcher import ExampleSite
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

if TYPE_CHECKING:
    from conftest import Page  # a fixture's type; conftest is never imported at run time

Wait = Callable[[Callable[[Any], Any]], Any]
ROWS = "table.model-list tbody"
FLASH = ".alert"
SAVE = "input[type=submit][value=Save]"


def test_a_member_created_searched_edited_and_deleted_in_flask_admin(
    flask_site: ExampleSite,
    browser: Any,
    page: Page,
    wait: Wait,
    screenshot: Callable[[str], None],
) -> None:
    admin = flask_site.url + "/admin/member/"
    browser.get(admin)
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ROWS), "ada.lovelace"))
    assert "admin.made" not in page.text(ROWS)
    screenshot("flask-admin-list")

    browser.find_element(By.LINK_TEXT, "Create").click()
    wait(ec.presence_of_element_located((By.NAME, "username")))
    page.click(SAVE, {"username": "admin.made", "email": "not-an-email"})
    wait(ec.presence_of_element_located((By.CSS_SELECTOR, ".invalid-feedback")))
    assert "Enter a valid email address." in page.text(".invalid-feedback")
    assert browser.find_element(By.NAME, "username").get_attribute("value") == "admin.made"
    screenshot("flask-admin-form-errors")

    page.click(SAVE, {"email": "made@example.com"})
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, FLASH), "successfully created"))

    page.click("form[role=search] button[type=submit]", {"search": "admin.made"})
    wait(ec.url_contains("search="))
    rows = browser.find_elements(By.CSS_SELECTOR, f"{ROWS} tr")
    assert len(rows) == 1 and "admin.made" in rows[0].text
    screenshot("flask-admin-search")

    rows[0].find_element(By.CSS_SELECTOR, "a[title='Edit Record']").click()
    wait(ec.presence_of_element_located((By.NAME, "email")))
    page.click(SAVE, {"email": "edited@example.com"})
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, FLASH), "successfully saved"))
    assert "edited@example.com" in page.text(ROWS)

    row = next(
        r for r in browser.find_elements(By.CSS_SELECTOR, f"{ROWS} tr") if "admin.made" in r.text
    )
    row.find_element(By.CSS_SELECTOR, "button[title='Delete Record']").click()
    wait(ec.alert_is_present())
    browser.switch_to.alert.accept()
    wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, FLASH), "successfully deleted"))
    assert "admin.made" not in page.text(ROWS)
