"""All gateway configuration in one place, read from environment variables (see docs/architecture.md)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # No env prefix: the variable names are shared with the other processes (RASA_URL, HANDOVER_DB, ...).
    model_config = SettingsConfigDict(extra="ignore")

    host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    # The token of Rasa's HTTP API (`rasa run --enable-api --auth-token`), sent as `?token=`; deploy/stack.py
    # makes one per stack and gives it to Rasa and the gateway only. Empty: Rasa without a token (tests).
    rasa_token: str = ""
    # Key of the HMAC that signs web conversation ids (gateway/conversation_ids.py). Empty: a random key
    # of this process, so ids expire when the gateway restarts; set it to keep them valid across restarts.
    conversation_secret: str = ""
    # Bearer token of the office endpoints (GET /api/handovers) until the office sign-in exists. Empty:
    # those endpoints answer 403 "office access is not configured"; they are never open.
    office_api_token: str = ""
    # The office side (issue 13, gateway/office/): staff accounts and the questions the assistant could not
    # answer, in SQLAlchemy Core tables: this URL when set, else DATABASE_URL's PostgreSQL when that is set
    # (issue 12), else sqlite:///var/office.sqlite (see office_database).
    office_database_url: str = ""
    # Key that signs the office session cookie. Empty: a random key of this process (everyone signs in
    # again after a restart); set it when several gateway workers serve /office.
    office_session_secret: str = ""
    office_session_max_age_s: int = 8 * 3600
    # Office sign-in attempts per client address (the `limits` notation; "" turns it off): a password guesser
    # gets 20 tries a minute and 200 a day, and a whole office behind one address still signs in.
    office_sign_in_rate: str = "20/minute;200/day"
    # A resident's contact is deleted this many days after the official closed their handover.
    office_contact_retention_days: int = 30
    office_purge_interval_s: float = 3600.0
    actions_url: str = "http://127.0.0.1:5055"
    translation_url: str = "http://127.0.0.1:8001"
    document_index: Path = Path("var/index.sqlite")
    handover_db: Path = Path("var/handovers.sqlite")
    rooms_db: Path = Path("var/rooms.sqlite")
    # More than one machine (issue 12): the rooms (and Rasa's tracker store) in PostgreSQL instead of the
    # SQLite files, e.g. postgresql://user@db:5432/trojzemi; Redis for the room fan-out across gateway
    # replicas and the shared rate-limit counters, e.g. redis://cache:6379/0. Empty: all embedded, as today.
    database_url: str = ""
    redis_url: str = ""
    # Rooms (issue 11). Browsers send Origin on every WebSocket handshake: a page of another site must not
    # join a room in its visitor's name, so /rooms/{id}/ws accepts the gateway's own origin (the Host the
    # request came to) and these, e.g. ROOMS_ALLOWED_ORIGINS='["https://chat.example.org"]'.
    rooms_allowed_origins: list[str] = []
    # The largest JSON body of POST /api/rooms and /messages, and the largest WebSocket text frame: a 2,000
    # character message escaped as \uXXXX pairs is about 24 KB, nothing legitimate comes near 32 KiB.
    rooms_max_body_bytes: int = 32_768
    rooms_max_frame_bytes: int = 32_768
    # Events waiting for one socket; a reader that falls this far behind is closed (1013) and catches up
    # from the history when it reconnects, instead of holding memory or slowing the room.
    rooms_send_queue_size: int = 1_000
    # Room creation per client address, in the `limits` package's notation.
    rooms_create_rate: str = "20/minute"
    # How long a rooms database write waits for a lock held by another process (a backup, a second worker).
    rooms_db_busy_timeout_s: float = 5.0

    # Telegram: the bot runs only when a token is set. Polling needs no public address; in webhook mode
    # Telegram posts updates to /telegram/webhook with the secret in X-Telegram-Bot-Api-Secret-Token.
    telegram_bot_token: str = ""
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_secret: str = ""
    # Public https URL of /telegram/webhook; when set, the gateway registers it with Telegram at start.
    telegram_webhook_url: str = ""
    # The Bot API base (a local Bot API server, or a fake one in tests); empty: Telegram's own.
    telegram_base_url: str = ""
    # The bot's chat state (the /lang choices of chats and group members), kept across restarts.
    telegram_state_file: Path = Path("var/telegram-state.pickle")

    # Rasa answers a document question in a few seconds on 2 CPU cores; a minute covers a cold start.
    rasa_timeout_s: float = 60.0
    translation_timeout_s: float = 30.0
    # /health must answer fast even when a dependency hangs.
    health_timeout_s: float = 2.0

    # Request bodies are cut off while they stream in (gateway/body_limit.py), on every route. A chat
    # message of 5,000 characters is at most 60,000 bytes of JSON even with every character escaped as a
    # \uXXXX\uXXXX pair, so no valid message is refused; Telegram updates with entities stay far under 1 MiB.
    chat_body_limit_bytes: int = 64 * 1024
    telegram_webhook_body_limit_bytes: int = 1024 * 1024
    body_limit_bytes: int = 64 * 1024  # every other route
    # POST /api/chat per client address, in the `limits` package's notation ("" turns it off). No
    # per-second part: the benchmarks start up to 200 clients at once, all from 127.0.0.1, and the mixed
    # chat load runs at 15 messages/s (900 a minute); a flood from one address is stopped after 1,200.
    chat_rate_limit: str = "1200/minute"

    @property
    def office_database(self) -> str:
        """The office's database URL: OFFICE_DATABASE_URL, else DATABASE_URL, else the SQLite file."""
        return self.office_database_url or self.database_url or "sqlite:///var/office.sqlite"


@lru_cache
def get_settings() -> Settings:
    return Settings()
