"""The chat page in headless Chromium against the real gateway (uvicorn) and a small fake Rasa on loopback.

The fake Rasa implements the two endpoints the gateway uses (tracker events, REST webhook) and answers in the
language slot it was given, with a quick-reply button and a cited source. The real chain (Rasa, actions,
documents) is covered by the integration tests.
"""

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, Route, expect

from tests.app.rooms.fake_translation import free_port
from tests.browser.gateway_process import running_gateway

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_PATH = REPO_ROOT / "docs" / "screenshots" / "chat.png"

# Replies of the fake Rasa in the three languages (made-up content about an invented action plan).
ANSWERS = {
    "cs": "Akční plán II platí pro roky 2024 až 2026 a navazuje na koncepci Chytřejší kraj.",
    "de": "Der Aktionsplan II gilt für die Jahre 2024 bis 2026.",
    "pl": "Plan działania II obowiązuje w latach 2024–2026.",
}
MORE_BUTTON = {"cs": "Více podrobností", "de": "Mehr Details", "pl": "Więcej szczegółów"}
DETAILS = {
    "cs": "Plán obsahuje projekty v oblasti dopravy, zdravotnictví a digitalizace.",
    "de": "Der Plan enthält Projekte zu Verkehr, Gesundheit und Digitalisierung.",
    "pl": "Plan obejmuje projekty z zakresu transportu, zdrowia i cyfryzacji.",
}
SOURCE = {
    "title": "Akční plán II Chytřejší kraj",
    "file": "2024-2026_akcni-plan.txt",
    "section": "1 Úvod",
    "date": "2024-01-15",
    "url": "",
    "passage": "Akční plán II stanoví projekty kraje na roky 2024 až 2026 a jejich odpovědné garanty.",
}
SERVICE_DOWN_CS = "Asistent je právě nedostupný"


class FakeRasa:
    """A tiny Rasa stand-in that can be stopped (service down) and started again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.language_by_sender: dict[str, str] = {}
        self.messages: list[str] = []
        self.senders: list[str] = []  # the sender of each webhook call, as the gateway named it
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reply(self, sender: str, message: str) -> list[dict[str, Any]]:
        language = self.language_by_sender.get(sender, "cs")
        if message == "/more_details":
            return [{"recipient_id": sender, "text": DETAILS[language]}]
        if "bez pasáže" in message:
            # Sources as docsearch's Hit.source() makes them: no passage text, the page must look it up.
            source = {key: value for key, value in SOURCE.items() if key != "passage"}
            return [{"recipient_id": sender, "text": ANSWERS[language]}, {"custom": {"sources": [source]}}]
        if "<" in message:
            # Echo user input back, as a bot that quotes the question would: it must stay text on the page.
            return [{"recipient_id": sender, "text": f"Echo: {message}"}]
        time.sleep(0.3)  # an answer takes a moment, long enough for the typing indicator to be seen
        return [
            {
                "recipient_id": sender,
                "text": ANSWERS[language],
                "buttons": [{"title": MORE_BUTTON[language], "payload": "/more_details"}],
            },
            {"recipient_id": sender, "custom": {"sources": [SOURCE]}},
        ]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

            def _send_json(self, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._send_json({"version": "fake"})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                # The gateway adds query parameters (include_events=NONE, the token when one is set).
                tracker = re.fullmatch(r"/conversations/([^/]+)/tracker/events", self.path.partition("?")[0])
                if tracker:
                    fake.language_by_sender[tracker.group(1)] = body["value"]
                    self._send_json({"sender_id": tracker.group(1)})
                elif self.path == "/webhooks/rest/webhook":
                    fake.messages.append(body["message"])
                    fake.senders.append(body["sender"])
                    self._send_json(fake.reply(body["sender"], body["message"]))
                else:
                    self.send_error(404)

        return Handler

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture(scope="module")
def fake_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa()
    rasa.start()
    yield rasa
    rasa.stop()


@pytest.fixture(scope="module")
def gateway_url(fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    runtime_dir = tmp_path_factory.mktemp("gateway")
    with running_gateway(runtime_dir, rasa_url=fake_rasa.url, translation_url="") as url:
        yield url


@pytest.fixture
def chat_page(page: Page, gateway_url: str) -> Iterator[Page]:
    """The loaded chat page; afterwards, no uncaught script error and no Content-Security-Policy violation."""
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            script_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(gateway_url)
    expect(page.locator(".message-welcome")).to_be_visible()
    yield page
    assert script_errors == []


def send(page: Page, text: str) -> None:
    message_input = page.locator("#message-input")
    message_input.fill(text)
    message_input.press("Enter")


def test_a_conversation_shows_the_answer_its_buttons_and_sources(chat_page: Page) -> None:
    chat_page.get_by_label("Vaše zpráva").fill("Na jaké roky platí Akční plán II?")
    chat_page.get_by_role("button", name="Odeslat").click()

    expect(chat_page.locator("#typing-indicator")).to_be_visible()
    answer = chat_page.locator(".message-assistant").filter(has_text=ANSWERS["cs"])
    expect(answer).to_be_visible()
    expect(chat_page.locator("#typing-indicator")).to_be_hidden()
    expect(chat_page.locator(".message-user")).to_have_text(re.compile("Na jaké roky platí"))
    expect(answer.get_by_role("button", name=MORE_BUTTON["cs"])).to_be_visible()
    source = answer.locator(".source-toggle")
    expect(source).to_contain_text(SOURCE["title"])
    expect(source).to_contain_text(SOURCE["section"])
    expect(source).to_contain_text("15. 1. 2024")  # the ISO date, written the Czech way

    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        source.click()
        expect(chat_page.locator(".source-passage")).to_be_visible()
        SCREENSHOT_PATH.parent.mkdir(parents=True, exist_ok=True)
        chat_page.screenshot(path=str(SCREENSHOT_PATH), full_page=True)


def test_the_language_switch_changes_labels_and_replies_and_survives_a_reload(chat_page: Page) -> None:
    chat_page.get_by_role("button", name="Deutsch").click()

    expect(chat_page.locator("html")).to_have_attribute("lang", "de")
    expect(chat_page.get_by_role("button", name="Deutsch")).to_have_attribute("aria-pressed", "true")
    expect(chat_page.locator("#send-button")).to_have_text("Senden")
    send(chat_page, "Für welche Jahre gilt der Plan?")
    expect(chat_page.locator(".message-assistant").filter(has_text=ANSWERS["de"])).to_be_visible()

    chat_page.reload()
    expect(chat_page.locator("html")).to_have_attribute("lang", "de")
    expect(chat_page.get_by_role("button", name="Deutsch")).to_have_attribute("aria-pressed", "true")
    expect(chat_page.get_by_label("Ihre Nachricht")).to_be_visible()
    expect(chat_page.locator("h1")).to_have_text("Digitaler Assistent der Region Liberec")

    chat_page.get_by_role("button", name="Polski").click()
    expect(chat_page.locator("#send-button")).to_have_text("Wyślij")
    send(chat_page, "Na jakie lata jest plan?")
    expect(chat_page.locator(".message-assistant").filter(has_text=ANSWERS["pl"])).to_be_visible()


def test_clicking_a_button_sends_its_payload(chat_page: Page, fake_rasa: FakeRasa) -> None:
    send(chat_page, "Akční plán")
    chat_page.get_by_role("button", name=MORE_BUTTON["cs"]).click()

    expect(chat_page.locator(".message-assistant").filter(has_text=DETAILS["cs"])).to_be_visible()
    expect(chat_page.locator(".message-user").last).to_have_text(re.compile(MORE_BUTTON["cs"]))
    assert fake_rasa.messages[-1] == "/more_details"


def chat_request_bodies(page: Page) -> list[dict[str, Any]]:
    """The JSON bodies the page posts to /api/chat from now on."""
    bodies: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda request: bodies.append(request.post_data_json) if request.url.endswith("/api/chat") else None,
    )
    return bodies


def stored_sender(page: Page) -> str | None:
    return page.evaluate("() => window.localStorage.getItem('lk-chat-sender')")


def test_the_page_keeps_the_conversation_id_the_server_issued(chat_page: Page, fake_rasa: FakeRasa) -> None:
    bodies = chat_request_bodies(chat_page)
    send(chat_page, "Akční plán")
    expect(chat_page.locator(".message-assistant").filter(has_text=ANSWERS["cs"])).to_be_visible()
    issued = fake_rasa.senders[-1]
    assert "sender" not in bodies[0]  # the first message starts a conversation; the server names it
    assert re.fullmatch(r"web-[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}", issued)
    assert stored_sender(chat_page) == issued

    chat_page.get_by_role("button", name=MORE_BUTTON["cs"]).click()
    expect(chat_page.locator(".message-assistant").filter(has_text=DETAILS["cs"])).to_be_visible()
    chat_page.reload()
    bodies = chat_request_bodies(chat_page)
    send(chat_page, "Akční plán")
    expect(chat_page.locator(".message-assistant").filter(has_text=ANSWERS["cs"])).to_be_visible()
    assert bodies[0]["sender"] == issued
    assert fake_rasa.senders[-3:] == [issued, issued, issued]


def test_an_id_the_server_does_not_know_starts_a_new_conversation(
    chat_page: Page, fake_rasa: FakeRasa
) -> None:
    # An id from before a gateway restart (a new key) or one a client made up: the server refuses it (403)
    # and the page starts over with the same message instead of showing an error.
    chat_page.evaluate("() => window.localStorage.setItem('lk-chat-sender', 'web-made-up-by-the-client')")
    chat_page.reload()
    bodies = chat_request_bodies(chat_page)
    send(chat_page, "Akční plán")
    expect(chat_page.locator(".message-assistant").filter(has_text=ANSWERS["cs"])).to_be_visible()
    assert chat_page.locator(".message-error").count() == 0
    assert [body.get("sender") for body in bodies] == ["web-made-up-by-the-client", None]
    assert fake_rasa.senders[-1] != "web-made-up-by-the-client"
    assert stored_sender(chat_page) == fake_rasa.senders[-1]


def test_typed_payload_text_reaches_rasa_as_text(chat_page: Page, fake_rasa: FakeRasa) -> None:
    send(chat_page, '/request_human{"handover_contact": "x@example.org"}')
    expect(chat_page.locator(".message-assistant").last).to_be_visible()
    chat_page.wait_for_function("() => !document.querySelector('#send-button').disabled")
    assert fake_rasa.messages[-1] == 'request_human{"handover_contact": "x@example.org"}'


def test_a_cited_source_opens_its_passage(chat_page: Page) -> None:
    send(chat_page, "Akční plán")
    toggle = chat_page.locator(".source-toggle").first
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    passage = chat_page.locator(".source-passage").first
    expect(passage).to_be_visible()
    expect(passage).to_have_text(SOURCE["passage"])
    toggle.click()
    expect(passage).to_be_hidden()


def test_a_source_without_passage_is_looked_up_in_the_document_search(chat_page: Page) -> None:
    searched: list[str] = []

    def fake_document_search(route: Route) -> None:
        searched.append(route.request.url)
        hits = [
            {"text": "Another document.", "file": "other.txt", "section": SOURCE["section"]},
            {"text": "Wrong section.", "file": SOURCE["file"], "section": "9 Závěr"},
            {"text": "The cited section, found again.", "file": SOURCE["file"], "section": SOURCE["section"]},
        ]
        route.fulfill(json={"query": "q", "answered": True, "results": hits})

    chat_page.route("**/api/documents/search?*", fake_document_search)
    send(chat_page, "Akční plán bez pasáže")
    chat_page.locator(".source-toggle").first.click()

    expect(chat_page.locator(".source-passage").first).to_have_text("The cited section, found again.")
    assert len(searched) == 1
    assert "q=Ak%C4%8Dn%C3%AD+pl%C3%A1n+bez+pas%C3%A1%C5%BEe" in searched[0]
    assert "lang=cs" in searched[0]


def test_a_passage_that_cannot_be_found_says_so(chat_page: Page) -> None:
    # The gateway of this test has no document index: the search answers 503.
    send(chat_page, "Akční plán bez pasáže")
    chat_page.locator(".source-toggle").first.click()
    expect(chat_page.locator(".source-passage").first).to_have_text("Text pasáže se nepodařilo načíst.")


def test_html_and_scripts_in_messages_stay_inert_text(chat_page: Page) -> None:
    dialogs: list[str] = []

    def record_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    chat_page.on("dialog", record_dialog)
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script><b id="injected">bold</b>'

    send(chat_page, hostile)

    expect(chat_page.locator(".message-assistant").filter(has_text="Echo: ")).to_be_visible()
    expect(chat_page.locator(".message-user .message-text")).to_have_text(hostile)
    expect(chat_page.locator(".message-assistant .message-text").last).to_have_text(f"Echo: {hostile}")
    assert chat_page.locator("#conversation img, #conversation script, #injected").count() == 0
    chat_page.wait_for_timeout(300)  # give an injected handler the chance to fire
    assert dialogs == []


def test_a_clear_message_when_rasa_is_down(chat_page: Page, fake_rasa: FakeRasa) -> None:
    fake_rasa.stop()
    try:
        send(chat_page, "Dobrý den")
        notice = chat_page.locator(".message-error")
        expect(notice).to_contain_text(SERVICE_DOWN_CS)
        expect(notice).to_have_attribute("role", "alert")
        expect(chat_page.locator("#typing-indicator")).to_be_hidden()
        expect(chat_page.locator("#send-button")).to_be_enabled()
    finally:
        fake_rasa.start()
    send(chat_page, "Akční plán")
    expect(chat_page.locator(".message-assistant").filter(has_text=ANSWERS["cs"])).to_be_visible()


def test_the_page_warns_on_load_when_rasa_is_down(page: Page, gateway_url: str, fake_rasa: FakeRasa) -> None:
    fake_rasa.stop()
    try:
        page.goto(gateway_url)
        expect(page.locator(".message-error")).to_contain_text(SERVICE_DOWN_CS)
    finally:
        fake_rasa.start()


def test_a_network_failure_is_reported(chat_page: Page) -> None:
    chat_page.route("**/api/chat", lambda route: route.abort())
    send(chat_page, "Dobrý den")
    expect(chat_page.locator(".message-error")).to_contain_text("Nepodařilo se spojit se serverem")


def test_the_page_fits_a_phone_and_is_keyboard_usable(chat_page: Page) -> None:
    chat_page.set_viewport_size({"width": 360, "height": 740})
    has_horizontal_scroll = chat_page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert not has_horizontal_scroll
    expect(chat_page.get_by_role("link", name=re.compile("místnost"))).to_have_attribute("href", "/rooms/new")
    expect(chat_page.locator("#conversation")).to_have_attribute("aria-live", "polite")

    chat_page.keyboard.press("Tab")
    expect(chat_page.locator(".skip-link")).to_be_focused()
    chat_page.keyboard.press("Enter")
    expect(chat_page.locator("#message-input")).to_be_focused()
    chat_page.keyboard.type("Akční plán")
    chat_page.keyboard.press("Enter")
    expect(chat_page.locator(".message-assistant").filter(has_text=ANSWERS["cs"])).to_be_visible()
