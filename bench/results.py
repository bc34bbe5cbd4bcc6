"""bench/results.json: each benchmark owns one section and merges it in without touching the others."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


def merge_results(
    section: dict[str, Any], key: str, path: Path = RESULTS_PATH, keep: Iterable[str] = ()
) -> None:
    """Read-modify-write `key`; the subsections named in `keep` survive from the previous run when `section`
    has none (a GPU run is recorded separately from the CPU one)."""
    results: dict[str, Any] = {}
    if path.is_file():
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            print(f"warning: {path} was not valid JSON; starting it afresh", file=sys.stderr)
    previous = results.get(key)
    if isinstance(previous, dict):
        for name in keep:
            if name in previous and name not in section:
                section[name] = previous[name]
    results[key] = section
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)  # never a half-written file for the other benchmark to read
