"""The scaled stack keeps the handovers and the office's tables in its PostgreSQL (issue 12): a handover made
through the balancer is a row there, the action server's SQLite file is never made, and the gateways created
the office's tables beside it (the scaled stack sets DATABASE_URL and no OFFICE_DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, inspect, text

from actions import handover_table
from deploy.scaled import ScaledStack
from tests.integration.test_stack import chat

pytestmark = pytest.mark.integration


def test_handovers_and_the_office_tables_are_in_postgresql(scaled: ScaledStack) -> None:
    env = scaled.replicas[0].env
    assert "OFFICE_DATABASE_URL" not in env and env["DATABASE_URL"] == scaled.backing.postgres.url
    with httpx.Client(base_url=scaled.url("gateway"), timeout=60) as http:
        sender = chat(http, "Chci mluvit s člověkem z úřadu.", lang="cs")["sender"]
        chat(http, "Potřebuji poradit s žádostí o dotaci pro náš spolek.", lang="cs", sender=sender)
        chat(http, "svoboda@example.org", lang="cs", sender=sender)
    engine = create_engine(handover_table.database_url(scaled.backing.postgres.url))
    try:
        with engine.connect() as connection:
            contacts = (
                connection.execute(
                    text("SELECT contact FROM handovers WHERE sender = :sender"), {"sender": sender}
                )
                .scalars()
                .all()
            )
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert contacts == ["svoboda@example.org"]
    assert {"handovers", "handover_messages", "office_users", "missed_questions"} <= tables
    assert not Path(env["HANDOVER_DB"]).exists()
