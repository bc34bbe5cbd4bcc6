"""Settings from the environment (names and defaults as in docs/architecture.md) and the calibration file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CALIBRATION_FILE = PACKAGE_DIR / "calibration" / "calibration.json"


def index_path() -> Path:
    return Path(os.environ.get("DOCUMENT_INDEX", "var/index.sqlite"))


def knowledge_dir() -> Path:
    return Path(os.environ.get("KNOWLEDGE_DIR", "knowledge"))


def default_folders() -> list[Path]:
    """The project's own knowledge folder, plus the office's documents folder when DOCUMENTS_DIR names one."""
    folders = [knowledge_dir()]
    documents_dir = os.environ.get("DOCUMENTS_DIR", "").strip()
    if documents_dir:
        folders.append(Path(documents_dir))
    return folders


# Hand-set weights of the re-ranker, used only until `python -m docsearch.calibrate --write` has fitted them
# on the dev questions (calibration.json). Features: see docsearch.search.FEATURES.
_DEFAULT_WEIGHTS = {
    "dense": 20.0, "sentence": 10.0, "coverage": 2.0, "heading": 1.0, "lexical": 1.0, "numbers": 1.0,
    "kind": 0.5, "foreign": 0.5,
}  # fmt: skip


@dataclass(frozen=True)
class SearchSettings:
    """How candidates are found and re-ranked, and when the documents are judged not to answer.

    `weights` and `bias` are the re-ranker's logistic model; `answer_weights` and `answer_bias` the model of
    whether the best candidate answers at all, and `threshold` applies to its probability. The values come
    from docsearch/calibration/calibration.json, written by `python -m docsearch.calibrate` from the dev split
    of evaluation/benchmark."""

    pool: int = 40  # candidates per query variant from each first-stage ranking
    weights: dict[str, float] = field(default_factory=lambda: dict(_DEFAULT_WEIGHTS))
    bias: float = -4.0
    # Whether the documents answer at all: a logistic model over the best candidate's re-ranker logit and
    # what the question says about itself (words the documents never use); `threshold` applies to it.
    answer_weights: dict[str, float] = field(default_factory=lambda: {"score": 1.0})
    answer_bias: float = 0.0
    threshold: float = 0.5
    # A question of which at least this share of topic words no passage uses is declined outright (see
    # Searcher.rank). Czech words are looked up as they are, so a Czech question's unknown words are things
    # the documents never mention (every answerable dev question stays below 0.29); a German or Polish word
    # is also unknown when the lexicon lacks it (answerable dev questions up to 0.33, measured).
    unknown_limit: float = 0.5
    czech_unknown_limit: float = 0.3
    # Some unknown words and a best passage the re-ranker gives less than this: nothing of the question's
    # topic is there ("opening hours of the library": only "library" matches, at 0.008).
    weak_unknown: float = 0.25
    weak_probability: float = 0.01
    # ... unless the best passage is this likely to answer: a typo or a word form the lemmatiser does not
    # know ("vyřadili", "spolecenskou") makes a word unknown too, and a passage holding the rest of the
    # question is the better evidence.
    sure_probability: float = 0.5


def load_settings(path: Path = CALIBRATION_FILE) -> SearchSettings:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return SearchSettings()
    defaults = SearchSettings()
    weights = data.get("weights")
    return SearchSettings(
        pool=int(data.get("pool", defaults.pool)),
        weights={str(k): float(v) for k, v in weights.items()}
        if isinstance(weights, dict)
        else defaults.weights,
        bias=float(data.get("bias", defaults.bias)),
        answer_weights={str(k): float(v) for k, v in data["answer_weights"].items()}
        if isinstance(data.get("answer_weights"), dict)
        else defaults.answer_weights,
        answer_bias=float(data.get("answer_bias", defaults.answer_bias)),
        threshold=float(data.get("threshold", defaults.threshold)),
        unknown_limit=float(data.get("unknown_limit", defaults.unknown_limit)),
        czech_unknown_limit=float(data.get("czech_unknown_limit", defaults.czech_unknown_limit)),
    )
