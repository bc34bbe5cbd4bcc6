"""Settings from the environment (names and defaults as in docs/architecture.md) and the calibration file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SearchSettings:
    """How hits are ranked and when the documents are judged not to answer.

    `threshold` applies to a hit's confidence = dense cosine (minus the query's median cosine when `relative`)
    + lexical_weight * query-term coverage (+ cross_lingual_offset for a question not in Czech); the
    values come from docsearch/calibration/calibration.json, written by `python -m docsearch.calibrate`."""

    fusion: str = "rrf"
    lexical_weight: float = 0.1
    threshold: float = 0.8
    rrf_k: int = 60
    relative: bool = True
    # German and Polish questions share no words with the Czech documents, so their confidence lacks the
    # lexical part and runs lower for equally good hits: this is added to it (calibrated, 0 for Czech).
    cross_lingual_offset: float = 0.0


def load_settings(path: Path = CALIBRATION_FILE) -> SearchSettings:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return SearchSettings()
    defaults = SearchSettings()
    return SearchSettings(
        fusion=str(data.get("fusion", defaults.fusion)),
        lexical_weight=float(data.get("lexical_weight", defaults.lexical_weight)),
        threshold=float(data.get("threshold", defaults.threshold)),
        rrf_k=int(data.get("rrf_k", defaults.rrf_k)),
        relative=bool(data.get("relative", defaults.relative)),
        cross_lingual_offset=float(data.get("cross_lingual_offset", defaults.cross_lingual_offset)),
    )
