"""How `Stack` derives the services' URLs from ports and the environment (no process is started)."""

import pytest

from deploy.stack import Stack


def test_defaults_point_every_service_at_its_default_port(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RASA_URL", "ACTIONS_URL", "TRANSLATION_URL", "GATEWAY_URL", "ACTION_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    env = Stack().env
    assert env["RASA_URL"] == "http://127.0.0.1:5005"
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5055/webhook"
    assert env["GATEWAY_URL"] == "http://127.0.0.1:8000"


def test_ports_given_to_the_stack_win_over_urls_inherited_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As under `make test`: the environment names the default ports, the test stack runs on free ones.
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:5005")
    env = Stack(env={"ACTIONS_PORT": "15055", "RASA_PORT": "15005"}).env
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:15055/webhook"
    assert env["ACTIONS_URL"] == "http://127.0.0.1:15055"
    assert env["RASA_URL"] == "http://127.0.0.1:15005"


def test_an_inherited_url_is_kept_when_its_port_is_not_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSLATION_URL", "http://translation.internal:9000")
    assert Stack().env["TRANSLATION_URL"] == "http://translation.internal:9000"


def test_a_url_given_to_the_stack_wins_over_its_port() -> None:
    env = Stack(env={"GATEWAY_PORT": "18000", "GATEWAY_URL": "http://gateway.example:80"}).env
    assert env["GATEWAY_URL"] == "http://gateway.example:80"


def test_a_degraded_translation_service_counts_as_started_but_a_server_error_does_not() -> None:
    import httpx

    from deploy.stack import _serving

    assert _serving(httpx.Response(200, json={"status": "ok"}))
    assert _serving(httpx.Response(503, json={"status": "degraded", "missing": ["cs-de"]}))
    assert not _serving(httpx.Response(503, text="Service Unavailable"))
    assert not _serving(httpx.Response(500, json={"status": "degraded"}))
