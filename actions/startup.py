"""Runs when the action server imports the ``actions`` package (rasa_sdk imports every submodule).

A broken knowledge file (or actions/replies.yml) stops the start with a message naming the file, entry and
field, instead of the server answering with half the knowledge. The slow parts (lemmatizer dictionaries,
knowledge embeddings) warm up in a background thread so that the server is up at once.
"""

from __future__ import annotations

import logging
import os
import threading

from actions.knowledge import KnowledgeError, get_knowledge
from actions.replies import RepliesError, load_replies, replies_file
from actions.shared import warm_up

logger = logging.getLogger(__name__)

try:
    _knowledge = get_knowledge()
except KnowledgeError as error:
    logger.critical("knowledge check failed: %s", error)
    raise SystemExit(f"knowledge check failed: {error}") from error

# The replies are checked at start too: a reply missing a language would otherwise fail mid-conversation.
try:
    load_replies(str(replies_file()))
except RepliesError as error:
    logger.critical("replies check failed: %s", error)
    raise SystemExit(f"replies check failed: {error}") from error

logger.info(
    "knowledge loaded: %d services, %d grants, %d contacts, %d documents",
    len(_knowledge.services),
    len(_knowledge.grants),
    len(_knowledge.contacts),
    len(_knowledge.documents),
)

if os.environ.get("ACTIONS_WARM_UP", "1") != "0":
    threading.Thread(target=warm_up, name="knowledge-warm-up", daemon=True).start()
