"""The vocabulary map (issue 14): built from monolingual text or a parallel corpus, off by default, honoured
by CTranslate2 when on, and the restricted-vs-full check recorded in the manifest."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.app.translation.test_pipeline import SENTENCES
from translation.backends import CTranslate2Backend, DecodingOptions, _load_tokenizer
from translation.manifest import read_manifest
from translation.model_store import ModelStore
from translation.settings import Settings
from translation.vmap import allowed_pieces, build_from_parallel

GERMAN = ["Die Region Liberec fördert die Zusammenarbeit.", "Das Programm unterstützt Gemeinden."]


@pytest.fixture
def models_dir(tmp_path: Path, tiny_models_dir: Path) -> Path:
    copy = tmp_path / "models"
    shutil.copytree(tiny_models_dir, copy)
    return copy


def _backend(models_dir: Path, use_vmap: bool) -> CTranslate2Backend:
    model = read_manifest(models_dir).directions["cs-de"]
    options = DecodingOptions(beam_size=1, max_output_tokens=12, use_vmap=use_vmap, threads=1)
    return CTranslate2Backend(
        models_dir / model.hf_dir, models_dir / str(model.ct2_dir), None, options, model.compute_type
    )


def _cli(models_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "translation", *arguments, "--models-dir", str(models_dir)],
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_map_is_off_by_default() -> None:
    assert Settings().use_vmap is False


def test_a_monolingual_map_restricts_the_output_and_the_check_is_recorded(
    models_dir: Path, tmp_path: Path
) -> None:
    german = tmp_path / "de.txt"
    german.write_text("\n".join(GERMAN), encoding="utf-8")
    completed = _cli(models_dir, "vmap", "--direction", "cs-de", "--monolingual", str(german))
    assert completed.returncode == 0, completed.stderr
    model = read_manifest(models_dir).directions["cs-de"]
    assert model.vmap is not None and model.vmap["built_from"] == "monolingual"
    assert model.vmap_check is None
    ct2_dir = models_dir / str(model.ct2_dir)

    restricted, full = _backend(models_dir, True), _backend(models_dir, False)
    assert restricted.use_vmap and not full.use_vmap
    allowed = allowed_pieces(ct2_dir, [])
    tokens = restricted.translate_tokens(restricted.source_tokens(SENTENCES))
    assert all(set(sentence) <= allowed for sentence in tokens)
    full_tokens = full.translate_tokens(full.source_tokens(SENTENCES))
    assert any(not set(sentence) <= allowed for sentence in full_tokens)  # the map made a difference

    sentences = tmp_path / "cs.txt"
    sentences.write_text("\n".join(SENTENCES), encoding="utf-8")
    checked = _cli(
        models_dir, "vmap-check", "--direction", "cs-de", "--sentences", str(sentences), "--beam-size", "1"
    )
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["sentences"] == len(SENTENCES) and 0 <= report["exact_match"] < 1
    assert 0 <= report["chrf_restricted_vs_full"] < 100
    assert read_manifest(models_dir).directions["cs-de"].vmap_check == report


def test_the_check_refuses_a_model_without_a_map(models_dir: Path, tmp_path: Path) -> None:
    sentences = tmp_path / "cs.txt"
    sentences.write_text("Dobrý den.\n", encoding="utf-8")
    result = _cli(models_dir, "vmap-check", "--direction", "cs-de", "--sentences", str(sentences))
    assert result.returncode == 1 and "no vmap.txt" in result.stderr and "Traceback" not in result.stderr


def test_a_parallel_map_keeps_the_pieces_that_occur_together(tiny_models_dir: Path) -> None:
    model = read_manifest(tiny_models_dir).directions["cs-de"]
    tokenizer = _load_tokenizer(tiny_models_dir / model.hf_dir)
    lines = build_from_parallel(
        tokenizer,
        ["Liberecký kraj", "Liberecký kraj", "Trojzemí"],
        ["Region Liberec", "Region", "Dreiländereck"],
        per_source=3,
        common=2,
    )
    rules = dict(line.split("\t", 1) for line in lines)
    assert len(rules[""].split()) == 2
    trojzemi = tokenizer.convert_ids_to_tokens(tokenizer("Trojzemí")["input_ids"])[0]
    dreilaendereck = set(tokenizer.convert_ids_to_tokens(tokenizer(text_target="Dreiländereck")["input_ids"]))
    assert set(rules[trojzemi].split()) <= dreilaendereck - {"</s>"}


def test_the_service_uses_a_map_only_when_opted_in_and_checked(models_dir: Path, tmp_path: Path) -> None:
    german = tmp_path / "de.txt"
    german.write_text("\n".join(GERMAN), encoding="utf-8")
    assert _cli(models_dir, "vmap", "--direction", "cs-de", "--monolingual", str(german)).returncode == 0
    options = DecodingOptions(beam_size=1, max_output_tokens=12, threads=1)

    def served(use_vmap: bool) -> bool:
        store = ModelStore(models_dir, "ct2", replace(options, use_vmap=use_vmap), max_loaded=1)
        backend = store.get("cs-de")
        assert isinstance(backend, CTranslate2Backend)
        return backend.use_vmap

    assert served(True) is False  # built, not checked: never used
    sentences = tmp_path / "cs.txt"
    sentences.write_text("\n".join(SENTENCES[:2]), encoding="utf-8")
    checked = _cli(models_dir, "vmap-check", "--direction", "cs-de", "--sentences", str(sentences))
    assert checked.returncode == 0, checked.stderr
    assert served(True) is True
    assert served(False) is False  # checked, not opted in
    assert _cli(models_dir, "vmap", "--direction", "cs-de", "--monolingual", str(german)).returncode == 0
    assert served(True) is False  # a rebuilt map needs its own check
