"""Real LibreTranslate client packages against the service under uvicorn on loopback (issue 14):
libretranslatepy (JSON bodies) and deep-translator (every parameter in the query string of an empty POST),
plus the LibreTranslate extras clients ask for: /detect with a list, `alternatives`, /frontend/settings,
and `format: "html"` with nested markup."""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup
from deep_translator import LibreTranslator
from libretranslatepy import LibreTranslateAPI


def test_deep_translator_sends_query_parameters_and_gets_translations(live_server: str) -> None:
    translator = LibreTranslator(source="auto", target="de", api_key="unused", custom_url=live_server)
    translated = translator.translate("Liberecký kraj a Trojzemí.")
    assert "Region Liberec" in translated and "Dreiländereck" in translated
    batch = translator.translate_batch(["Trojzemí.", "Liberecký kraj."])
    assert len(batch) == 2 and "Dreiländereck" in batch[0] and "Region Liberec" in batch[1]


def test_libretranslatepy_and_deep_translator_agree(live_server: str) -> None:
    text = "Euroregion Nisa podporuje Trojzemí."
    via_libretranslatepy = LibreTranslateAPI(live_server).translate(text, source="cs", target="de")
    via_deep_translator = LibreTranslator(
        source="auto", target="de", api_key="unused", custom_url=live_server
    ).translate(text)
    assert via_libretranslatepy == via_deep_translator


def test_a_body_parameter_wins_over_the_query_string(live_server: str) -> None:
    response = httpx.post(
        f"{live_server}translate?source=pl&target=pl", json={"q": "Trojzemí.", "source": "cs", "target": "de"}
    )
    assert response.status_code == 200 and "Dreiländereck" in response.json()["translatedText"]
    empty = httpx.post(f"{live_server}translate")
    assert empty.status_code == 400 and "query parameters" in empty.json()["error"]


def test_detect_takes_a_list_and_answers_a_list_per_text(live_server: str) -> None:
    texts = ["Die Region Liberec liegt im Dreiländereck.", "Kraj liberecki wspiera współpracę na Trójstyku."]
    response = httpx.post(f"{live_server}detect", json={"q": texts})
    assert response.status_code == 200
    assert [candidates[0]["language"] for candidates in response.json()] == ["de", "pl"]
    single = httpx.post(f"{live_server}detect", data={"q": texts[0]})
    assert single.json()[0]["language"] == "de"
    assert httpx.post(f"{live_server}detect", json={"q": []}).status_code == 400


def test_alternatives_are_answered_empty_in_the_shape_of_q(live_server: str) -> None:
    one = httpx.post(
        f"{live_server}translate", json={"q": "Trojzemí.", "source": "cs", "target": "de", "alternatives": 3}
    )
    assert one.status_code == 200 and one.json()["alternatives"] == []
    many = httpx.post(
        f"{live_server}translate",
        data={"q": ["Trojzemí.", "Ahoj."], "source": "cs", "target": "de", "alternatives": "2"},
    )
    assert many.status_code == 200 and many.json()["alternatives"] == [[], []]
    plain = httpx.post(f"{live_server}translate", json={"q": "Trojzemí.", "source": "cs", "target": "de"})
    assert "alternatives" not in plain.json()
    negative = {"q": "Trojzemí.", "source": "cs", "target": "de", "alternatives": -1}
    assert httpx.post(f"{live_server}translate", json=negative).status_code == 400


def test_frontend_settings_describe_this_service(live_server: str) -> None:
    settings = httpx.get(f"{live_server}frontend/settings").json()
    assert settings["charLimit"] == 5000 and settings["keyRequired"] is False
    assert settings["language"]["source"]["code"] == "auto"
    assert settings["language"]["target"]["code"] in {"cs", "de", "pl"}


def test_nested_html_keeps_every_tag_and_attribute(live_server: str) -> None:
    html = (
        '<div class="box"><section><p>Liberecký <b>kraj <i>a <a href="/x?a=1&amp;b=2">Trojzemí</a></i></b>.'
        "</p><ul><li>Žádost <em>podejte <strong>včas</strong></em>.</li></ul></section>"
        "<pre>Nepřekládat <b>kód</b></pre><!-- poznámka --></div>"
    )
    response = httpx.post(
        f"{live_server}translate", json={"q": html, "source": "cs", "target": "de", "format": "html"}
    )
    assert response.status_code == 200
    translated = response.json()["translatedText"]
    original = BeautifulSoup(html, "html.parser")
    result = BeautifulSoup(translated, "html.parser")
    assert [(tag.name, tag.attrs) for tag in result.find_all(True)] == [
        (tag.name, tag.attrs) for tag in original.find_all(True)
    ]
    assert "Dreiländereck" in result.find("a").get_text()  # type: ignore[union-attr]
    assert result.find("pre").decode_contents() == "Nepřekládat <b>kód</b>"  # type: ignore[union-attr]
    assert "<!-- poznámka -->" in translated
    assert result.get_text() != original.get_text()  # the prose was translated
