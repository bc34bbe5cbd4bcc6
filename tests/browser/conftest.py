"""Browser fixtures shared by the page tests: Debian's Chromium driven by Playwright (no browser download)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM_PATH = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not CHROMIUM_PATH.is_file():
        # `make test` installs it first, so a missing browser is a broken set-up, not a reason to skip.
        pytest.fail(f"Chromium not found at {CHROMIUM_PATH} (`make browser` installs it)")
    chromium = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM_PATH), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context: empty localStorage and cookies for every test."""
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="cs-CZ")
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    yield new_page
    context.close()
