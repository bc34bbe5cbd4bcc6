"""The translation pipeline: detect -> split -> protect -> cache -> micro-batched model -> restore -> join."""

from __future__ import annotations

import asyncio
import time

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, ProcessingInstruction

from translation.backends import DecodingOptions
from translation.batching import MicroBatcher, QueueFullError
from translation.cache import SentenceCache
from translation.cpu import cpu_cores
from translation.detection import Detection, detect_language
from translation.glossary import load_glossary
from translation.metrics import Metrics
from translation.model_store import ModelNotInstalledError, ModelStore
from translation.protection import Protector
from translation.registry import LANGUAGES, SUPPORTED_DIRECTIONS, direction_of
from translation.segmentation import split_segments
from translation.settings import Settings

# Elements whose text is code or data, not prose.
_UNTRANSLATED_ELEMENTS = {"script", "style", "code", "pre", "textarea", "kbd", "samp", "var"}


class UnsupportedPairError(ValueError):
    def __init__(self, source: str, target: str) -> None:
        super().__init__(
            f"unsupported language pair {source}->{target}; supported: {', '.join(SUPPORTED_DIRECTIONS)}"
        )


class TranslationFailedError(RuntimeError):
    """The model failed on a batch (not a missing model); the message says how."""


class TranslationService:
    def __init__(self, settings: Settings, store: ModelStore | None = None) -> None:
        self.settings = settings
        options = DecodingOptions(
            beam_size=settings.beam_size,
            max_output_tokens=settings.max_output_tokens,
            threads=settings.threads,
            device=settings.device,
            use_vmap=settings.use_vmap,
        )
        self.store = store or ModelStore(
            settings.models_dir, settings.backend, options, max_loaded=settings.max_loaded_models
        )
        self.protector = Protector(load_glossary(settings.glossary_path))
        self.cache = SentenceCache(settings.cache_size)
        self.metrics = Metrics()
        self._batchers: dict[str, MicroBatcher] = {}

    # ---- directions -------------------------------------------------------------------------
    def installed_directions(self) -> list[str]:
        return sorted(self.store.installed())

    def check_direction(self, source: str, target: str) -> str:
        """The direction name; raises UnsupportedPairError or ModelNotInstalledError."""
        direction = direction_of(source, target)
        if source not in LANGUAGES or target not in LANGUAGES or direction not in SUPPORTED_DIRECTIONS:
            raise UnsupportedPairError(source, target)
        if direction not in self.store.installed():
            raise ModelNotInstalledError(direction, "run `make models`")
        return direction

    def detect(self, text: str) -> list[Detection]:
        return detect_language(text)

    # ---- translation ------------------------------------------------------------------------
    def _batcher(self, direction: str) -> MicroBatcher:
        if direction not in self._batchers:
            self._batchers[direction] = MicroBatcher(
                lambda sentences: self.store.get(direction).translate_batch(sentences),
                max_batch_size=self.settings.batch_max_size,
                max_wait_s=self.settings.batch_max_wait_ms / 1000,
                metrics=self.metrics,
                max_queued=self.settings.batch_max_queued,
                # One batch in flight per CTranslate2 replica; transformers runs one generate() at a time.
                concurrency=(self.settings.threads or cpu_cores()) if self.settings.backend == "ct2" else 1,
            )
        return self._batchers[direction]

    async def translate_sentences(self, sentences: list[str], source: str, target: str) -> list[str]:
        direction = direction_of(source, target)
        installed = self.store.installed().get(direction)
        if installed is None:
            raise ModelNotInstalledError(direction, "run `make models`")
        backend_name = self.store.backend_for(installed)
        protected = [self.protector.protect(sentence, source, target) for sentence in sentences]
        raw_outputs: dict[str, str] = {}
        for item in protected:
            cached = self.cache.get((backend_name, direction, item.text))
            if cached is not None:
                raw_outputs[item.text] = cached
        cache_hits = sum(1 for item in protected if item.text in raw_outputs)
        # Each distinct sentence goes to the model once, even when a request repeats it.
        missing = list(dict.fromkeys(item.text for item in protected if item.text not in raw_outputs))
        if missing:
            try:
                translated = await self._batcher(direction).translate(missing)
            except (ModelNotInstalledError, QueueFullError):
                raise
            except Exception as error:  # the model's own failure: the request fails, the service does not
                raise TranslationFailedError(
                    f"translation {direction} failed: {type(error).__name__}: {error}"
                ) from error
            for masked, output in zip(missing, translated, strict=True):
                raw_outputs[masked] = output
                self.cache.put((backend_name, direction, masked), output)
        results: list[str] = []
        placeholders_lost = 0
        for item in protected:
            restored, lost = self.protector.restore(raw_outputs[item.text], item)
            results.append(restored)
            placeholders_lost += lost
        self.metrics.record_sentences(len(sentences), cache_hits, placeholders_lost)
        return results

    async def translate_text(self, text: str, source: str, target: str) -> str:
        if source == target:
            return text
        segments = split_segments(text)
        sentences = [segment.text for segment in segments if segment.translate]
        translations = iter(await self.translate_sentences(sentences, source, target))
        return "".join(next(translations) if segment.translate else segment.text for segment in segments)

    async def translate_html(self, html: str, source: str, target: str) -> str:
        if source == target:
            return html
        soup = BeautifulSoup(html, "html.parser")
        nodes = [
            node
            for node in soup.find_all(string=True)
            if not isinstance(node, Comment | Doctype | ProcessingInstruction)
            and not any(parent.name in _UNTRANSLATED_ELEMENTS for parent in node.parents)
            and any(character.isalpha() for character in node)
        ]
        translated = await asyncio.gather(*(self.translate_text(str(node), source, target) for node in nodes))
        for node, text in zip(nodes, translated, strict=True):
            node.replace_with(NavigableString(text))
        return str(soup)

    async def translate(self, texts: list[str], source: str, target: str, text_format: str) -> list[str]:
        """Translate every item; the request's latency lands in the metrics."""
        started = time.perf_counter()
        self.metrics.record_request(sum(len(text) for text in texts))
        translate_one = self.translate_html if text_format == "html" else self.translate_text
        results = await asyncio.gather(*(translate_one(text, source, target) for text in texts))
        self.metrics.record_latency((time.perf_counter() - started) * 1000)
        return list(results)

    async def close(self) -> None:
        for batcher in self._batchers.values():
            await batcher.close()
