"""Office sign-in: accounts from the command line, argon2 hashes, the signed session, CSRF, sign-out."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gateway.office.accounts import AccountStore
from gateway.office.database import open_engine
from gateway.office.errors import AccountError
from gateway.office.services import OfficeServices
from tests.app.office.conftest import OFFICIAL, PASSWORD, add_handover, csrf_of, sign_in

REPO_ROOT = Path(__file__).resolve().parents[3]
OFFICE_PATHS = ["/office/handovers", "/office/handovers/1", "/office/missed", "/office/missed.csv"]


def run_cli(database_url: str, *arguments: str, password: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.office", *arguments],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={"OFFICE_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        timeout=60,
    )


def test_the_command_creates_lists_and_refuses_accounts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accounts.sqlite'}"
    created = run_cli(url, "add-user", "petr.svoboda", password="dlouhé heslo 123")
    assert created.returncode == 0, created.stderr
    assert "petr.svoboda" in run_cli(url, "list-users").stdout

    again = run_cli(url, "add-user", "petr.svoboda", password="jiné dlouhé heslo")
    assert again.returncode == 1
    assert again.stderr.strip() == "error: the account 'petr.svoboda' exists already"
    short = run_cli(url, "add-user", "eva", password="krátké")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    bad_name = run_cli(url, "add-user", "Eva Nová", password="dlouhé heslo 123")
    assert bad_name.returncode == 1 and "not valid" in bad_name.stderr
    assert "Traceback" not in again.stderr + short.stderr + bad_name.stderr

    accounts = AccountStore(open_engine(url))
    assert accounts.verify("petr.svoboda", "dlouhé heslo 123")
    assert not accounts.verify("petr.svoboda", "jiné dlouhé heslo")
    assert not accounts.verify("nikdo", "dlouhé heslo 123")


def test_passwords_are_stored_as_argon2id_hashes(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'a.sqlite'}")
    AccountStore(engine).add("eva.mala", "tajné heslo 0001")
    with engine.connect() as connection:
        (stored,) = connection.exec_driver_sql("SELECT password_hash FROM office_users").one()
    assert stored.startswith("$argon2id$") and "tajné" not in stored
    with pytest.raises(AccountError, match="no account"):
        AccountStore(engine).remove("nikdo")


@pytest.mark.parametrize("path", OFFICE_PATHS)
async def test_pages_send_a_visitor_without_a_session_to_the_sign_in(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/office/sign-in"


@pytest.mark.parametrize("path", ["/office/api/handovers", "/office/api/handovers/1/messages"])
async def test_live_data_is_401_without_a_session(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    assert "sign in" in response.json()["detail"]


async def test_a_forged_cookie_is_no_session(client: httpx.AsyncClient) -> None:
    client.cookies.set("lk_office", '{"user": "jana.novakova", "csrf": "x"}', path="/office")
    assert (await client.get("/office/handovers")).status_code == 303


async def test_sign_in_and_out(client: httpx.AsyncClient) -> None:
    signed_in = await sign_in(client)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/office/handovers"
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/office" in cookie
    page = await client.get("/office/handovers")
    assert page.status_code == 200 and OFFICIAL in page.text
    assert page.headers["cache-control"] == "no-store"

    signed_out = await client.post("/office/sign-out", data={"csrf_token": csrf_of(page)})
    assert signed_out.status_code == 303
    assert (await client.get("/office/handovers")).status_code == 303


async def test_a_wrong_password_is_refused_without_saying_which_part(client: httpx.AsyncClient) -> None:
    wrong = await sign_in(client, password="špatné heslo 000")
    unknown = await sign_in(client, name="nikdo.neni")
    assert wrong.status_code == unknown.status_code == 401
    assert "Jméno nebo heslo nesouhlasí" in wrong.text and "Jméno nebo heslo nesouhlasí" in unknown.text
    assert (await client.get("/office/handovers")).status_code == 303


async def test_every_post_needs_the_session_csrf_token(
    client: httpx.AsyncClient, office: OfficeServices
) -> None:
    form = await client.get("/office/sign-in")
    no_token = await client.post("/office/sign-in", data={"name": OFFICIAL, "password": PASSWORD})
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"]
    wrong = await client.post(
        "/office/sign-in", data={"name": OFFICIAL, "password": PASSWORD, "csrf_token": csrf_of(form) + "x"}
    )
    assert wrong.status_code == 403
    await sign_in(client)
    handover_id = add_handover(office, "web-x", "de", "Frage")
    for action in ("claim", "close"):
        refused = await client.post(f"/office/handovers/{handover_id}/{action}", data={})
        assert refused.status_code == 403
    header_only = await client.post(
        f"/office/handovers/{handover_id}/claim", headers={"X-CSRF-Token": "nope"}
    )
    assert header_only.status_code == 403
    assert office.handovers.get(handover_id)["status"] == "new"
    # The token issued before signing in is not the signed-in session's.
    stale = await client.post(f"/office/handovers/{handover_id}/claim", data={"csrf_token": csrf_of(form)})
    assert stale.status_code == 403


async def test_password_guessing_is_slowed_down(client: httpx.AsyncClient) -> None:
    answers = [(await sign_in(client, password=f"hádám heslo {number}")).status_code for number in range(20)]
    assert answers == [401] * 20
    refused = await sign_in(client)  # the right password, but only after the wait
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "too many sign-in attempts" in refused.json()["detail"]
    assert (await client.get("/office/handovers")).status_code == 303
