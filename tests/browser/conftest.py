"""A real headless browser for the console tests: Debian's chromium driven by its chromedriver.

`make test` installs both (mk/browser.mk). Selenium is given the driver's path, so Selenium Manager
never tries to download a browser or driver.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def _executable(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(
        f"none of {names} is on PATH: run `make browser` (Debian's chromium + chromium-driver)"
    )


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    """A fresh headless chromium session (cookies and storage of its own), closed after the test."""
    options = webdriver.ChromeOptions()
    options.binary_location = _executable("chromium", "chromium-browser")
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root in a container
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,900",
        "--lang=en-GB",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(_executable("chromedriver")), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()
