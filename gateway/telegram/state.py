"""The bot's chat state across restarts: python-telegram-bot's chat_data, pickled by its PicklePersistence.

Only chat_data is stored (the language choices, gateway/telegram/languages.py). bot_data holds the gateway's
services, which are neither picklable nor state; user_data and callback_data are not used, and storing
user_data would only write an empty entry for every user who ever wrote.

The persistence runs with on_flush=True: python-telegram-bot hands it the changed chats every update_interval,
in memory, and `keep_state_saved` writes the file once per interval when a choice changed. With on_flush=False
PicklePersistence rewrites the whole file once for every changed or dropped chat, on the event loop, which a
burst of new chats would turn into thousands of writes. Application.shutdown() hands over and writes the
rest, so nothing chosen before a stop is lost; a crash loses at most the last interval.
"""

import asyncio
import logging
import pickle
from pathlib import Path
from typing import Any

from telegram.ext import PersistenceInput, PicklePersistence

from gateway.telegram.languages import AnyApplication, ChatLanguages

log = logging.getLogger(__name__)

# Seconds between writes of the state file (and between python-telegram-bot's hand-overs to the persistence).
STATE_SAVE_INTERVAL_S = 5.0
STORED = PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False)


class _StateUnpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> None:  # a Bot reference, as PicklePersistence writes it
        return None


def _readable(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return isinstance(_StateUnpickler(file).load(), dict)
    except FileNotFoundError:
        return True
    except Exception:  # a torn or foreign file: unpickling may raise anything
        return False


def chat_state(path: Path) -> PicklePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]:
    """The persistence for the Application builder. Its folder is made here; a file that cannot be read (a
    write torn by a crash) is moved aside to *.broken, so that the bot starts with fresh state, not never."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not _readable(path):
        broken = path.with_name(path.name + ".broken")
        path.replace(broken)
        log.error("Telegram state file %s unreadable, moved to %s: no saved languages", path, broken)
    return PicklePersistence(
        filepath=path, store_data=STORED, on_flush=True, update_interval=STATE_SAVE_INTERVAL_S
    )


async def save_state(application: AnyApplication, languages: ChatLanguages) -> None:
    """Drop the oldest chats when the state is over its bound, then write the file if anything changed."""
    languages.forget_old_chats(application)
    if not languages.changed or application.persistence is None:
        return
    languages.changed = False
    try:
        await application.update_persistence()
        await application.persistence.flush()
    except OSError as error:  # a full or read-only disk: kept in memory, tried again next time
        languages.changed = True
        log.warning("Telegram state not written: %s", error)


async def keep_state_saved(application: AnyApplication, languages: ChatLanguages) -> None:
    """Runs while the bot runs (cancelled at stop; the Application's shutdown writes the last changes)."""
    while True:
        await asyncio.sleep(STATE_SAVE_INTERVAL_S)
        await save_state(application, languages)
