"""A resident's contact is deleted once their handover has been closed for the retention period (30 days by
default, OFFICE_CONTACT_RETENTION_DAYS); open handovers keep it."""

import asyncio
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from gateway.office.services import OfficeServices, contact_purge_running
from gateway.settings import Settings
from tests.app.office.conftest import OFFICIAL, add_handover, sign_in
from tests.app.office.fake_rasa import FakeRasa


def closed_days_ago(office: OfficeServices, days: float) -> int:
    """A handover the official closed `days` ago."""
    handover_id = add_handover(office, f"web-closed-{days}", "de", "Frage")
    office.handovers.claim(handover_id, OFFICIAL)
    office.handovers.close(handover_id, OFFICIAL)
    closed_at = (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(office.handovers.location) as connection:
        connection.execute("UPDATE handovers SET closed_at = ? WHERE id = ?", (closed_at, handover_id))
    return handover_id


def contact_of(office: OfficeServices, handover_id: int) -> str | None:
    return office.handovers.get(handover_id)["contact"]


def test_contacts_of_handovers_closed_over_30_days_ago_are_deleted(office: OfficeServices) -> None:
    assert office.contact_retention == timedelta(days=30)
    expired, recent = closed_days_ago(office, 31), closed_days_ago(office, 29)
    still_open = add_handover(office, "web-open", "de", "Frage")
    office.handovers.claim(still_open, OFFICIAL)

    assert office.purge_contacts() == 1
    assert contact_of(office, expired) is None
    assert office.handovers.get(expired)["contact_deleted_at"]
    assert contact_of(office, recent) == contact_of(office, still_open) == "a@example.de"
    assert office.purge_contacts() == 0  # nothing twice


def test_the_retention_period_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OFFICE_CONTACT_RETENTION_DAYS", "7")
    settings = Settings(office_database_url=f"sqlite:///{tmp_path / 'office.sqlite'}")
    assert settings.office_contact_retention_days == 7
    monkeypatch.setenv("OFFICE_CONTACT_RETENTION_DAYS", "seven")
    with pytest.raises(ValueError, match="office_contact_retention_days"):
        Settings()


async def test_the_gateway_purges_at_start_and_the_page_says_when(
    office: OfficeServices, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    office.contact_retention = timedelta(days=7)
    expired = closed_days_ago(office, 8)
    # The resident typed the contact into the handover form: Rasa's tracker has it too.
    fake_rasa.events["web-closed-8"].append({"event": "user", "text": "a@example.de", "timestamp": 1.0})
    async with contact_purge_running(office, interval_s=3600):
        for _ in range(100):
            if contact_of(office, expired) is None:
                break
            await asyncio.sleep(0.05)
    assert contact_of(office, expired) is None
    await sign_in(client)
    page = await client.get(f"/office/handovers/{expired}")
    assert "a@example.de" not in page.text and "smazán" in page.text
    # Rasa's transcript holds the contact the resident typed into the handover form: no longer shown.
    assert "po uplynutí doby uchování se záznam s kontaktem nezobrazuje" in page.text
    listing = (await client.get("/office/api/handovers", params={"closed": "true"})).json()["handovers"]
    assert [row["contact"] for row in listing if row["id"] == expired] == [None]
