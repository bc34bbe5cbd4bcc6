"""The office side in headless Chromium against the real gateway (uvicorn): a resident asks for a person in
the web chat (German) or on Telegram (the fake Bot API), an official signs in, claims the conversation,
answers in Czech and closes it; the resident reads the answer translated with the Czech original, or marked
untranslated.

Rasa is tests.app.office.fake_rasa on loopback (it stores the handover as the action server's form does),
the translation service the fake one that writes "[de] ..." (it can refuse a direction, as when a model is
missing).
"""

import csv
import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from gateway.office import texts
from gateway.office.accounts import AccountStore
from gateway.office.database import open_engine
from tests.app.office.fake_rasa import HANDOVER
from tests.app.rooms.fake_translation import FakeTranslationServer
from tests.app.telegram.fake_bot_api import FakeBotApi, message_update, private_chat, user
from tests.browser.gateway_process import running_gateway
from tests.browser.office_servers import CONTACT, RasaOnLoopback

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
OFFICIAL, PASSWORD = "jana.novakova", "správné-heslo-42"
TELEGRAM_TOKEN = "123456:OFFICE-test"

QUESTION_DE = "Ich möchte mit einem Menschen sprechen: Bis wann kann ich den Kesselzuschuss beantragen?"
FOLLOW_UP_DE = "Muss ich die Rechnung des Installateurs beilegen?"
ANSWER_CS = "Dobrý den, žádost o kotlíkovou dotaci podáte do 30. června; fakturu přiložte, prosím."
QUESTION_PL = "Chcę rozmawiać z człowiekiem o dotacji na kocioł."
ANSWER_CS_PL = "Dobrý den, formulář najdete na webu kraje v sekci Dotace."


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("office")


@pytest.fixture(scope="module")
def rasa(runtime_dir: Path) -> Iterator[RasaOnLoopback]:
    with RasaOnLoopback(runtime_dir / "handovers.sqlite") as server:
        yield server


@pytest.fixture(scope="module")
def translation() -> Iterator[FakeTranslationServer]:
    with FakeTranslationServer() as server:
        yield server


@pytest.fixture(scope="module")
def bot_api() -> Iterator[FakeBotApi]:
    with FakeBotApi(TELEGRAM_TOKEN) as api:
        yield api


@pytest.fixture(scope="module")
def gateway_url(
    runtime_dir: Path, rasa: RasaOnLoopback, translation: FakeTranslationServer, bot_api: FakeBotApi
) -> Iterator[str]:
    database_url = f"sqlite:///{runtime_dir / 'office.sqlite'}"
    AccountStore(open_engine(database_url)).add(OFFICIAL, PASSWORD)
    telegram = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_BASE_URL": bot_api.base_url}
    with running_gateway(runtime_dir, rasa.url, translation.url, extra_env=telegram) as url:
        yield url


def new_page(browser: Browser, locale: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale=locale)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.fixture
def resident(browser: Browser, gateway_url: str) -> Iterator[Page]:
    """A resident's chat page in German."""
    context, page = new_page(browser, "de-DE")
    page.goto(gateway_url)
    page.locator('.language-button[data-lang="de"]').click()
    yield page
    context.close()


@pytest.fixture
def official(browser: Browser, gateway_url: str) -> Iterator[Page]:
    """The office pages, signed in."""
    context, page = new_page(browser, "cs-CZ")
    page.goto(f"{gateway_url}/office/handovers")
    expect(page).to_have_url(re.compile(r"/office/sign-in$"))
    page.locator("#name").fill(OFFICIAL)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Přihlásit").click()
    expect(page).to_have_url(re.compile(r"/office/handovers$"))
    expect(page.locator(".signed-in")).to_have_text(OFFICIAL)
    yield page
    context.close()


def send(page: Page, text: str) -> None:
    page.locator("#message-input").fill(text)
    page.locator("#message-input").press("Enter")


def sender_of(page: Page) -> str:
    return page.evaluate("window.localStorage.getItem('lk-chat-sender')")


def ask_for_a_person(page: Page, rasa: RasaOnLoopback, question: str, language: str) -> dict[str, Any]:
    """Send `question` and wait for the bot's handover reply; the handover the fake action server stored."""
    send(page, question)
    numbered = re.compile(re.escape(HANDOVER[language]).replace(re.escape("{id}"), r"(\d+)"))
    reply = page.locator(".message-assistant").filter(has_text=numbered)
    expect(reply).to_be_visible()
    handover = rasa.handover_of(sender_of(page))
    expect(reply).to_contain_text(HANDOVER[language].format(id=handover["id"]))
    return handover


def screenshot(page: Page, name: str) -> None:
    path = SCREENSHOTS / name
    if os.environ.get("UPDATE_SCREENSHOTS") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)


def open_and_claim(official: Page, handover_id: int) -> None:
    # The list refreshes itself: the new handover appears without reloading.
    row = official.locator(f'#handover-table tr[data-id="{handover_id}"]')
    expect(row).to_be_visible()
    row.locator("a").click()
    official.locator("#claim-button").click()
    expect(official.locator("#handover-status")).to_have_text("převzatá")


def answer(official: Page, text: str) -> None:
    official.locator("#answer").fill(text)
    official.locator("#answer-button").click()
    expect(official.locator(".message-official").filter(has_text=text)).to_be_visible()


def test_a_german_web_conversation_is_taken_over_answered_in_czech_and_closed(
    resident: Page, official: Page, rasa: RasaOnLoopback
) -> None:
    handover = ask_for_a_person(resident, rasa, QUESTION_DE, "de")
    sender = handover["sender"]
    row = official.locator(f'#handover-table tr[data-id="{handover["id"]}"]')
    expect(row).to_contain_text(QUESTION_DE)
    expect(row).to_contain_text(CONTACT)
    expect(row).to_contain_text("de")
    expect(row).to_contain_text("web")
    screenshot(official, "office-handovers.png")

    open_and_claim(official, handover["id"])
    expect(resident.locator(".office-notice").filter(has_text=texts.TAKEN_OVER["de"])).to_be_visible()
    reached_bot = len(rasa.fake.webhook_messages)
    send(resident, FOLLOW_UP_DE)
    expect(resident.locator(".message-assistant").filter(has_text=texts.FORWARDED["de"])).to_be_visible()
    # The official reads it live, with its Czech translation; the bot never saw it.
    expect(official.locator(".thread-message").filter(has_text=f"[cs] {FOLLOW_UP_DE}")).to_be_visible()
    assert len(rasa.fake.webhook_messages) == reached_bot

    answer(official, ANSWER_CS)
    shown = resident.locator(".message-official").filter(has_text=f"[de] {ANSWER_CS}")
    expect(shown).to_be_visible()
    expect(shown.locator(".official-original")).to_contain_text(ANSWER_CS)
    expect(shown.locator(".speaker")).to_have_text(texts.OFFICIAL_LABEL["de"])
    screenshot(resident, "office-answer-in-chat.png")
    screenshot(official, "office-handover.png")

    official.locator("#close-button").click()
    expect(official.locator("#handover-status")).to_have_text("uzavřená")
    expect(resident.locator(".office-notice").filter(has_text=texts.CLOSED["de"])).to_be_visible()
    send(resident, "Danke schön!")
    expect(resident.locator(".message-assistant").filter(has_text="[de] Danke schön!")).to_be_visible()
    assert rasa.fake.webhook_messages[-1] == (sender, "Danke schön!")
    assert [kind for kind in rasa.fake.kinds(sender) if kind in ("pause", "resume")] == ["pause", "resume"]


def test_an_answer_that_cannot_be_translated_is_shown_marked_when_the_page_is_reopened(
    browser: Browser,
    gateway_url: str,
    official: Page,
    rasa: RasaOnLoopback,
    translation: FakeTranslationServer,
) -> None:
    context, page = new_page(browser, "pl-PL")
    page.goto(gateway_url)
    page.locator('.language-button[data-lang="pl"]').click()
    handover = ask_for_a_person(page, rasa, QUESTION_PL, "pl")
    page.close()  # the resident leaves before the answer

    open_and_claim(official, handover["id"])
    translation.missing_directions.add("cs-pl")
    try:
        answer(official, ANSWER_CS_PL)
    finally:
        translation.missing_directions.discard("cs-pl")
    expect(official.locator(".message-notice").filter(has_text="sent in Czech")).to_be_visible()

    reopened = context.new_page()
    reopened.goto(gateway_url)
    shown = reopened.locator(".message-official").filter(has_text=ANSWER_CS_PL)
    expect(shown).to_be_visible()
    expect(shown.locator(".untranslated-mark")).to_have_text("Nie przetłumaczono – oryginał po czesku")
    expect(shown).to_have_attribute("lang", "cs")
    context.close()


def test_a_telegram_conversation_gets_the_answer_as_a_bot_message(
    official: Page, rasa: RasaOnLoopback, bot_api: FakeBotApi
) -> None:
    person = user(7301, "Anna", "de")
    chat_id = person["id"]
    bot_api.push(message_update(private_chat(person), person, QUESTION_DE))
    expect(official.locator("#handover-table")).to_contain_text(QUESTION_DE)  # the list refreshes itself
    handover = rasa.handover_of(f"telegram-{chat_id}")
    assert any(HANDOVER["de"].format(id=handover["id"]) in text for text in bot_api.texts(chat_id))
    expect(official.locator(f'#handover-table tr[data-id="{handover["id"]}"]')).to_contain_text("telegram")

    open_and_claim(official, handover["id"])
    wait_for_text(bot_api, chat_id, texts.TAKEN_OVER["de"])
    reached_bot = len(rasa.fake.webhook_messages)
    bot_api.push(message_update(private_chat(person), person, FOLLOW_UP_DE))
    wait_for_text(bot_api, chat_id, texts.FORWARDED["de"])
    expect(official.locator(".thread-message").filter(has_text=f"[cs] {FOLLOW_UP_DE}")).to_be_visible()
    assert len(rasa.fake.webhook_messages) == reached_bot

    answer(official, ANSWER_CS)
    delivered = wait_for_text(bot_api, chat_id, f"[de] {ANSWER_CS}")
    assert delivered == (
        f"{texts.OFFICIAL_LABEL['de']}:\n[de] {ANSWER_CS}\n\n{texts.ORIGINAL_LABEL['de']}:\n{ANSWER_CS}"
    )
    official.locator("#close-button").click()
    wait_for_text(bot_api, chat_id, texts.CLOSED["de"])


def wait_for_text(api: FakeBotApi, chat_id: int, fragment: str, timeout_s: float = 15.0) -> str:
    """The first message sent to `chat_id` that holds `fragment` (the bot polls on its own)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [text for text in api.texts(chat_id) if fragment in text]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no message with {fragment!r} in {api.texts(chat_id)}")


@pytest.mark.parametrize("path", ["/office", "/office/handovers", "/office/handovers/1", "/office/missed"])
def test_office_pages_are_refused_without_signing_in(page: Page, gateway_url: str, path: str) -> None:
    page.goto(gateway_url + path)
    expect(page).to_have_url(re.compile(r"/office/sign-in$"))
    expect(page.locator("h2")).to_have_text("Přihlášení pracovníků úřadu")
    live = page.request.get(f"{gateway_url}/office/api/handovers")
    assert live.status == 401
    csv_export = page.request.get(f"{gateway_url}/office/missed.csv", max_redirects=0)
    assert csv_export.status == 303 and CONTACT not in csv_export.text()


def test_a_form_with_a_wrong_csrf_token_changes_nothing(
    official: Page, resident: Page, rasa: RasaOnLoopback, gateway_url: str
) -> None:
    handover = ask_for_a_person(resident, rasa, "Ich brauche einen Menschen, der mir hilft.", "de")
    official.goto(f"{gateway_url}/office/handovers/{handover['id']}")
    official.evaluate(
        "document.querySelectorAll('input[name=csrf_token]').forEach((field) => { field.value = 'forged'; })"
    )
    with official.expect_response(re.compile(r"/claim$")) as posted:
        official.locator("#claim-button").click()
    assert posted.value.status == 403
    assert "CSRF" in official.content()
    assert rasa.handover_of(sender_of(resident))["status"] == "new"


def test_what_the_documents_miss_is_grouped_and_exported(
    official: Page, resident: Page, gateway_url: str
) -> None:
    # Two wordings of one question (e5 cosine 0.96: one group).
    paraphrases = ("Wann fährt die Fähre nach Polen?", "Gibt es eine Fähre nach Polen?")
    for number, question in enumerate(paraphrases, start=1):
        send(resident, question)
        no_answer = resident.locator(".message-assistant").filter(has_text="keine Antwort")
        expect(no_answer).to_have_count(number)
    official.goto(f"{gateway_url}/office/missed")
    group = official.locator("#missed-groups tbody tr").filter(has_text=paraphrases[0])
    expect(group).to_have_count(1)
    expect(group.locator("td").nth(2)).to_have_text("2")
    expect(group.locator(".wordings li")).to_have_text(list(paraphrases))
    expect(official.locator("#missed-summary tbody tr").first).to_contain_text("W")
    screenshot(official, "office-missed.png")

    with official.expect_download() as download:
        official.get_by_role("link", name="Stáhnout CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    ferry = [row for row in rows if row["question"] in paraphrases]
    assert len(ferry) == 2 and {row["language"] for row in ferry} == {"de"}
    assert {row["kind"] for row in ferry} == {"no_answer"} and len({row["group"] for row in ferry}) == 1
    assert {row["group_question"] for row in ferry} == {paraphrases[0]}
