"""`make run`'s translation step (`python -m translation models --if-missing`, issue 14): installs what it
can, says in one line what it cannot and what works then, and never fails the start."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.app.translation.test_units import _run_cli
from translation.manifest import read_manifest


def test_without_network_it_names_the_missing_directions_in_one_line_and_exits_0(tmp_path: Path) -> None:
    completed = _run_cli("--if-missing", "--models-dir", str(tmp_path))
    output = (completed.stdout + completed.stderr).strip()
    assert completed.returncode == 0
    assert len(output.splitlines()) == 1 and "Traceback" not in output, output
    assert "cs-de, de-cs, de-pl, pl-de, cs-pl, pl-cs not installed" in output
    assert "cannot be reached" in output and "503" in output and "no translation direction works" in output


def test_it_installs_a_local_copy_and_says_what_works(tmp_path: Path, tiny_model_dir: Path) -> None:
    shutil.copytree(tiny_model_dir, tmp_path / "Helsinki-NLP--opus-mt-de-cs")
    completed = _run_cli(
        "--if-missing", "--models-dir", str(tmp_path), "--direction", "de-cs", "--direction", "cs-de"
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert list(read_manifest(tmp_path).directions) == ["de-cs"]
    last_line = completed.stdout.strip().splitlines()[-1]
    assert last_line.startswith("translation models: cs-de not installed")
    assert "translation works for de-cs" in last_line


def test_with_every_direction_installed_it_says_nothing(tiny_models_dir: Path) -> None:
    completed = _run_cli("--if-missing", "--models-dir", str(tiny_models_dir), "--direction", "cs-de")
    assert completed.returncode == 0 and completed.stdout == "" and completed.stderr == ""
