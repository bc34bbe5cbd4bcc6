"""Held-out discipline (issue 10): no public eval question, verbatim or >= 0.8 similar after folding, in the
project's training data, tests, lookup tables, knowledge or calibration.

The check is ../shared/eval/overlap.py, run as is. p19 and p20 (the request for a person and the German
greeting) are the conversation cases that training data must contain, so they are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("SHARED_DIR", REPO_ROOT.parent / "shared"))
OVERLAP = SHARED_DIR / "eval" / "overlap.py"
QUESTIONS = SHARED_DIR / "eval" / "questions.yml"
SKIPPED = "p19,p20"
CHECKED = [
    "nlu_data",
    "tests",
    "actions",
    "bot",
    "knowledge",
    "gateway",
    "nlu_components",
    "docsearch",
    "evaluation",
    "translation",
]


def test_no_public_eval_question_in_training_data_tests_or_calibration() -> None:
    if not OVERLAP.is_file() or not QUESTIONS.is_file():
        pytest.skip(f"the public eval set and its overlap check are not at {OVERLAP.parent}")
    folders = [folder for folder in CHECKED if (REPO_ROOT / folder).is_dir()]
    result = subprocess.run(
        [sys.executable, str(OVERLAP), str(QUESTIONS), "--skip", SKIPPED, *folders],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        "public eval questions found (reword them in our own words):\n" + result.stdout + result.stderr
    )
