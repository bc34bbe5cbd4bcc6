"""Client of the translation service (LibreTranslate-compatible ``POST {TRANSLATION_URL}/translate``)."""

from __future__ import annotations

import logging
import os

import requests

logger = logging.getLogger(__name__)

DEFAULT_TRANSLATION_URL = "http://127.0.0.1:8001"
# MarianMT on CPU needs a few seconds for a paragraph; beyond this the user is better served by the original.
TRANSLATION_TIMEOUT_S = 30.0


def translation_url() -> str:
    return os.environ.get("TRANSLATION_URL", DEFAULT_TRANSLATION_URL).rstrip("/")


def translate(text: str, source: str, target: str, timeout: float = TRANSLATION_TIMEOUT_S) -> str | None:
    """``text`` translated from ``source`` to ``target``, or None when the service cannot answer.

    None covers every way the service can fail (down, 503 because the model is not installed, an unsupported
    pair, a malformed body): the caller then shows the original with a note.
    """
    if source == target or not text.strip():
        return text
    try:
        response = requests.post(
            f"{translation_url()}/translate",
            json={"q": text, "source": source, "target": target, "format": "text"},
            timeout=timeout,
        )
    except requests.RequestException as error:
        logger.warning("translation service unreachable (%s -> %s): %s", source, target, error)
        return None
    if response.status_code != 200:
        logger.warning("translation service answered %s for %s -> %s", response.status_code, source, target)
        return None
    try:
        translated = response.json().get("translatedText")
    except ValueError:
        logger.warning("translation service returned a body that is not JSON")
        return None
    if isinstance(translated, list):
        translated = " ".join(str(part) for part in translated)
    if not isinstance(translated, str) or not translated.strip():
        logger.warning("translation service returned no translatedText")
        return None
    return translated.strip()
