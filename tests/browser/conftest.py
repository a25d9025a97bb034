"""Browser tests: Debian's headless Chromium, driven by selenium through Debian's chromedriver
(``scripts/test.py`` installs both with apt-get when missing; nothing is downloaded by selenium).

Each example is served for real (Onyx Local + ``runserver`` / ``flask run``, see
``example_projects/launcher.py``); screenshots go to ``docs/screenshots/``, which the docs show.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT / "example_projects"))

from launcher import ExampleSite  # noqa: E402  (found through the path above)

WAIT_SECONDS = 30


def _chromedriver() -> str:
    found = shutil.which("chromedriver")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromedriver is missing on CI: scripts/test.py installs it with apt-get")
        pytest.skip("no chromedriver (apt-get install chromium chromium-driver)")
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download anything
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1100,860",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    chromium = shutil.which("chromium")
    if chromium:
        options.binary_location = chromium
    driver = webdriver.Chrome(options=options, service=Service(_chromedriver()))
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def wait(browser: Any) -> Callable[[Callable[[Any], Any]], Any]:
    """``wait(condition)``: poll the DOM until ``condition(driver)`` is truthy (or fail)."""
    from selenium.webdriver.support.ui import WebDriverWait

    return lambda condition: WebDriverWait(browser, WAIT_SECONDS).until(condition)


@pytest.fixture
def screenshot(browser: Any) -> Callable[[str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return lambda name: browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def _serve(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleSite]:
    with ExampleSite(kind, tmp_path_factory.mktemp(f"{kind}-site")) as site:  # type: ignore[arg-type]
        yield site


@pytest.fixture(scope="session")
def django_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleSite]:
    """The Django example, served on Onyx Local with the seed data (one for the session)."""
    yield from _serve("django", tmp_path_factory)


@pytest.fixture(scope="session")
def flask_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleSite]:
    """The Flask example, served on Onyx Local with the seed data (one for the session)."""
    yield from _serve("flask", tmp_path_factory)


class Page:
    """Small helpers on the browser's current page."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser

    def text(self, css: str) -> str:
        from selenium.webdriver.common.by import By

        return str(self.browser.find_element(By.CSS_SELECTOR, css).text)

    def fill(self, values: dict[str, str]) -> None:
        """Type each value into the field of that name (an empty value clears the field)."""
        from selenium.webdriver.common.by import By

        for name, value in values.items():
            field = self.browser.find_element(By.NAME, name)
            field.clear()
            if value:
                field.send_keys(value)

    def click(self, button: str, values: dict[str, str] | None = None) -> None:
        """Fill in ``values`` (see :meth:`fill`), then click the element ``button`` selects."""
        from selenium.webdriver.common.by import By

        self.fill(values or {})
        self.browser.find_element(By.CSS_SELECTOR, button).click()


@pytest.fixture
def page(browser: Any) -> Page:
    return Page(browser)
