"""Translated rooms in headless Chromium: a Czech and a German browser (two contexts) against the real gateway
(uvicorn) and a fake translation service on loopback, exchanging messages both ways, then a reload."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.app.rooms.fake_translation import FakeTranslationServer
from tests.browser.gateway_process import running_gateway

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_PATH = REPO_ROOT / "docs" / "screenshots" / "room.png"


@pytest.fixture(scope="module")
def translation_server() -> Iterator[FakeTranslationServer]:
    with FakeTranslationServer() as server:
        yield server


@pytest.fixture(scope="module")
def gateway_url(
    translation_server: FakeTranslationServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    runtime_dir = tmp_path_factory.mktemp("gateway-rooms")
    with running_gateway(runtime_dir, rasa_url="", translation_url=translation_server.url) as url:
        yield url


@pytest.fixture
def reader_context(browser: Browser) -> Iterator[object]:
    """Makes browser contexts with a locale (the room page picks its language from it); closes them after."""
    contexts: list[BrowserContext] = []

    def make(locale: str) -> Page:
        context = browser.new_context(viewport={"width": 900, "height": 720}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def join_room(page: Page, name: str, lang: str) -> None:
    expect(page.locator("#join-dialog")).to_be_visible()
    page.locator("#join-name").fill(name)
    page.locator("#join-lang").select_option(lang)
    page.locator("#join-form button[type=submit]").click()
    expect(page.locator("#composer-text")).to_be_enabled()


def say(page: Page, text: str) -> None:
    page.locator("#composer-text").fill(text)
    page.locator("#composer-text").press("Enter")


def test_two_readers_talk_across_languages_and_a_reload_replays_the_history(
    gateway_url: str, reader_context: object
) -> None:
    czech = reader_context("cs-CZ")  # type: ignore[operator]
    czech.goto(f"{gateway_url}/rooms/new")
    czech.locator("#room-title").fill("Setkání partnerů v Žitavě")
    czech.get_by_role("button", name="Vytvořit místnost").click()
    czech.wait_for_url(re.compile(r".*/rooms/(?!new$)[A-Za-z0-9_-]+$"))
    room_url = czech.url
    join_room(czech, "Jana", "cs")

    german = reader_context("de-DE")  # type: ignore[operator]
    german.goto(room_url)
    expect(german.locator("#join-heading")).to_have_text("Raum betreten")
    join_room(german, "Jens", "de")
    expect(czech.locator("#participant-list li")).to_have_count(2)

    say(czech, "Dobrý den, schůzka začíná v deset.")
    german_view = german.locator(".message").filter(has_text="[de] Dobrý den, schůzka začíná v deset.")
    expect(german_view).to_be_visible()
    # The original is one click away, and the click is announced to screen readers by aria-expanded.
    toggle = german_view.locator(".toggle-original")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(german_view.locator(".original-text")).to_have_text("Dobrý den, schůzka začíná v deset.")
    expect(czech.locator(".message.mine .text")).to_have_text("Dobrý den, schůzka začíná v deset.")

    hostile = 'Danke! <b id="injected">fett</b><img src=x onerror="alert(1)">'
    say(german, hostile)
    czech_view = czech.locator(".message").filter(has_text="Danke!")
    expect(czech_view.locator(".text")).to_have_text(f"[cs] {hostile}")
    assert czech.locator("#message-list img, #injected").count() == 0

    if os.environ.get("UPDATE_SCREENSHOTS") or not SCREENSHOT_PATH.exists():
        SCREENSHOT_PATH.parent.mkdir(parents=True, exist_ok=True)
        german.screenshot(path=str(SCREENSHOT_PATH))

    # A reload: the participant is remembered and the history comes back from the database, translated.
    german.reload()
    expect(german.locator("#composer-text")).to_be_enabled()
    expect(german.locator(".message .text")).to_have_text(
        ["[de] Dobrý den, schůzka začíná v deset.", hostile]
    )


def test_a_message_written_while_translation_is_down_is_marked_and_translated_later(
    gateway_url: str, reader_context: object, translation_server: FakeTranslationServer
) -> None:
    room = httpx.post(f"{gateway_url}/api/rooms", json={"title": "Výpadek"}).json()
    czech = reader_context("cs-CZ")  # type: ignore[operator]
    czech.goto(f"{gateway_url}{room['url']}")
    join_room(czech, "Jana", "cs")
    german = reader_context("de-DE")  # type: ignore[operator]
    german.goto(f"{gateway_url}{room['url']}")
    join_room(german, "Jens", "de")

    translation_server.stop()
    try:
        say(czech, "Píšu během výpadku překladu.")
        pending = german.locator(".message").filter(has_text="Píšu během výpadku překladu.")
        expect(pending.locator(".pending-mark")).to_be_visible()
        expect(pending).to_have_attribute("data-status", "pending")
    finally:
        translation_server.start()
    translated = german.locator(".message").filter(has_text="[de] Píšu během výpadku překladu.")
    expect(translated).to_have_attribute("data-status", "translated", timeout=20_000)
    expect(translated.locator(".pending-mark")).to_have_count(0)


def test_a_message_lost_in_a_dropped_connection_is_resent_once_after_reconnecting(
    gateway_url: str, reader_context: object
) -> None:
    room = httpx.post(f"{gateway_url}/api/rooms", json={"title": "Výpadek spojení"}).json()
    czech = reader_context("cs-CZ")  # type: ignore[operator]
    czech.goto(f"{gateway_url}{room['url']}")
    join_room(czech, "Jana", "cs")
    say(czech, "Před výpadkem spojení.")
    expect(czech.locator(".message:not(.outgoing) .text")).to_have_text(["Před výpadkem spojení."])

    # The next message frame never reaches the server (the connection is dying), then the socket drops.
    czech.evaluate(
        """() => {
            const send = socket.send.bind(socket);
            socket.send = (data) => { if (JSON.parse(data).type !== "message") send(data); };
        }"""
    )
    say(czech, "Ztracená, ale ne zapomenutá.")
    outgoing = czech.locator(".message.outgoing")
    expect(outgoing.locator(".text")).to_have_text("Ztracená, ale ne zapomenutá.")
    expect(outgoing.locator(".pending-mark")).to_contain_text("Odesílá se")
    czech.evaluate("() => socket.close()")

    # Reconnected: the outbox went again with its client id, the server stored it, the page shows it once.
    expect(czech.locator(".message.outgoing")).to_have_count(0)
    expect(czech.locator(".message .text")).to_have_text(
        ["Před výpadkem spojení.", "Ztracená, ale ne zapomenutá."]
    )
    stored = httpx.get(f"{gateway_url}/api/rooms/{room['id']}/messages", params={"lang": "cs"}).json()
    assert [message["original"] for message in stored["messages"]] == [
        "Před výpadkem spojení.",
        "Ztracená, ale ne zapomenutá.",
    ]
    czech.reload()
    expect(czech.locator("#composer-text")).to_be_enabled()
    expect(czech.locator(".message .text")).to_have_text(
        ["Před výpadkem spojení.", "Ztracená, ale ne zapomenutá."]
    )
    assert czech.evaluate(f"() => localStorage.getItem('room:{room['id']}:outbox')") == "[]"
