"""All action server configuration in one place, read from environment variables (see docs/architecture.md).

pydantic 1 ``BaseSettings`` (the Rasa environment pins pydantic 1); no env prefix, because the variable names
are shared with the other processes (HOST, TRANSLATION_URL, DOCUMENT_INDEX, HANDOVER_DB, ...).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseSettings, SecretStr

DEFAULT_REPLIES_FILE = Path(__file__).resolve().with_name("replies.yml")


class ActionsSettings(BaseSettings):
    class Config:
        extra = "ignore"

    # Loopback by default: only Rasa on the same machine calls the webhook. HOST is where every service of
    # the stack listens (deploy/stack.py); set it to 0.0.0.0 only behind a network that only Rasa reaches.
    host: str = "127.0.0.1"
    actions_port: int = 5055
    # The shared secret Rasa sends as `Authorization: Bearer <token>` (endpoints.yml, generated per stack by
    # deploy/stack.py). Without one every webhook call is refused: the actions write handovers and read the
    # conversation, so an open webhook is a hole, not a convenience.
    actions_token: SecretStr = SecretStr("")
    # The largest webhook body (Rasa sends the whole tracker: about 9 KB per conversation, far more after a
    # long one), before and after a deflate-compressed body is inflated.
    actions_max_body_bytes: int = 8 * 1024 * 1024

    knowledge_dir: Path = Path("knowledge")
    replies_file: Path = DEFAULT_REPLIES_FILE
    document_index: Path = Path("var/index.sqlite")
    handover_db: Path = Path("var/handovers.sqlite")
    # More than one machine (issue 12): the handovers in this PostgreSQL (postgresql://user@db:5432/trojzemi)
    # instead of HANDOVER_DB, shared with the gateways. Empty: the SQLite file.
    database_url: str = ""
    # How long a handover write waits for a lock held by the gateway reading the table.
    handover_db_busy_timeout_s: float = 10.0

    translation_url: str = "http://127.0.0.1:8001"
    # MarianMT on CPU needs a few seconds for a paragraph; beyond this the user is better served by the
    # original. A question is short and the search waits for it: the glossary path answers without it.
    translation_timeout_s: float = 30.0
    question_translation_timeout_s: float = 5.0

    # Load the lemmatizer dictionaries and embed the knowledge right after the start (in a worker thread),
    # so that the first question is fast; tests turn it off (ACTIONS_WARM_UP=0).
    actions_warm_up: bool = True
