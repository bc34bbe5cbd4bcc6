"""Client of the translation service (LibreTranslate-compatible ``POST {TRANSLATION_URL}/translate``).

Blocking (``requests``): the actions call it through ``asyncio.to_thread``, and docsearch calls it from the
worker thread its search runs in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TranslationClient:
    url: str
    timeout_s: float = 30.0
    question_timeout_s: float = 5.0

    def translate(self, text: str, source: str, target: str, timeout: float | None = None) -> str | None:
        """``text`` translated from ``source`` to ``target``, or None when the service cannot answer.

        None covers every way the service can fail (down, 503 because the model is not installed, an
        unsupported pair, a malformed body): the caller then shows the original with a note.
        """
        if source == target or not text.strip():
            return text
        try:
            response = requests.post(
                f"{self.url.rstrip('/')}/translate",
                json={"q": text, "source": source, "target": target, "format": "text"},
                timeout=self.timeout_s if timeout is None else timeout,
            )
        except requests.RequestException as error:
            logger.warning("translation service unreachable (%s -> %s): %s", source, target, error)
            return None
        if response.status_code != 200:
            logger.warning(
                "translation service answered %s for %s -> %s", response.status_code, source, target
            )
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

    def translate_question(self, text: str, source: str, target: str) -> str | None:
        """The German or Polish question in Czech for the document search, or None (no model, service down).

        A question is short and the answer waits for its translation: a slow service is not worth waiting
        for, the glossary path answers without it."""
        return self.translate(text, source, target, timeout=self.question_timeout_s)
