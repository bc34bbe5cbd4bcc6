"""Segmentation, protection, glossary, cache and the installer's error handling."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from translation.cache import SentenceCache
from translation.glossary import GlossaryError, load_glossary
from translation.install import install_models
from translation.manifest import read_manifest
from translation.protection import Protector
from translation.segmentation import split_segments

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "text",
    [
        "Jedna věta. Druhá věta! Třetí?\n\nNový odstavec.\n",
        "  Odsazení.\r\n- bod\n\n\n3. Číslo\n",
        "Např. Liberec a tzv. Trojzemí. Dne 1. června 2026 začne program 2.6. Konec.",
        "",
        "\n\n",
    ],
)
def test_segments_join_back_to_the_text(text: str) -> None:
    assert "".join(segment.text for segment in split_segments(text)) == text


def test_sentence_boundaries_respect_abbreviations_and_dates() -> None:
    text = "Např. Liberec je město. Dne 1. června 2026 začne program 2.6. Konec textu."
    sentences = [segment.text for segment in split_segments(text) if segment.translate]
    assert sentences == ["Např. Liberec je město.", "Dne 1. června 2026 začne program 2.6.", "Konec textu."]


def test_lines_without_letters_are_not_translated() -> None:
    segments = split_segments("Text.\n12\n—\n")
    assert [segment.text for segment in segments if segment.translate] == ["Text."]


@pytest.fixture(scope="module")
def protector() -> Protector:
    return Protector(load_glossary())


def test_protection_masks_and_maps_terms(protector: Protector) -> None:
    source = "Libereckého kraje a Trojzemí: 690 230 Kč, program 2.6, 15. 6. 2026, info@kraj-lbc.cz, https://kraj-lbc.cz/a"
    protected = protector.protect(source, "cs", "de")
    assert "Trojzemí" not in protected.text and "690" not in protected.text and "@" not in protected.text
    assert protected.replacements == [
        "Region Liberec",
        "Dreiländereck",
        "690 230 Kč",
        "2.6",
        "15. 6. 2026",
        "info@kraj-lbc.cz",
        "https://kraj-lbc.cz/a",
    ]
    # The model keeps the placeholders (any order, odd spacing/case): all are restored, none lost.
    restored, lost = protector.restore("zqx1 ZQX 0 ZQX2 ZQX3 ZQX4 ZQX5 ZQX6", protected)
    assert lost == 0
    assert (
        restored
        == "Dreiländereck Region Liberec 690 230 Kč 2.6 15. 6. 2026 info@kraj-lbc.cz https://kraj-lbc.cz/a"
    )


def test_lost_placeholders_are_appended_and_counted(protector: Protector) -> None:
    protected = protector.protect("Lipo.ink v Trojzemí.", "cs", "pl")
    restored, lost = protector.restore("Coś ZQX0.", protected)
    assert lost == 1
    assert restored == "Coś Lipo.ink. Trójstyk"


def test_text_that_looks_like_a_placeholder_survives(protector: Protector) -> None:
    protected = protector.protect("Kód ZQX7 a Trojzemí.", "cs", "de")
    assert protected.replacements == ["ZQX7", "Dreiländereck"]
    restored, lost = protector.restore("Code ZQX0 und ZQX1.", protected)
    assert (restored, lost) == ("Code ZQX7 und Dreiländereck.", 0)


def test_longest_glossary_form_wins(protector: Protector) -> None:
    protected = protector.protect("Zdravý Liberecký kraj", "cs", "de")
    assert protected.replacements == ["Gesunde Region Liberec"]


def test_malformed_glossary_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("terms:\n  - xx: [foo]\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="unknown language"):
        load_glossary(bad)
    bad.write_text("nothing: here\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="terms"):
        load_glossary(bad)


def test_sentence_cache_is_lru() -> None:
    cache = SentenceCache(max_entries=2)
    cache.put(("ct2", "cs-de", "a"), "A")
    cache.put(("ct2", "cs-de", "b"), "B")
    assert cache.get(("ct2", "cs-de", "a")) == "A"  # a is now the most recent
    cache.put(("ct2", "cs-de", "c"), "C")
    assert cache.get(("ct2", "cs-de", "b")) is None and len(cache) == 2


def test_installed_manifest_records_the_check(tiny_models_dir: Path) -> None:
    manifest = read_manifest(tiny_models_dir)
    assert sorted(manifest.directions) == ["cs-de", "cs-pl", "de-cs", "pl-cs"]
    cs_pl = manifest.directions["cs-pl"]
    assert cs_pl.target_token == ">>pol<<" and cs_pl.quantization == "int8"
    assert (tiny_models_dir / cs_pl.ct2_dir / "model.bin").is_file()  # type: ignore[operator]
    assert cs_pl.check_source and isinstance(cs_pl.check_output, str)
    # cs-pl and pl-cs share one downloaded model folder
    assert manifest.directions["pl-cs"].hf_dir == cs_pl.hf_dir


def test_failed_download_is_reported_per_model(tmp_path: Path) -> None:
    def offline_downloader(spec: object, destination: Path) -> Path:
        from translation.install import InstallError

        raise InstallError("download failed (no network)")

    messages: list[str] = []
    results = install_models(
        ["cs-de", "de-pl"], tmp_path, None, downloader=offline_downloader, log=messages.append
    )
    assert [result.ok for result in results] == [False, False]
    assert sum("FAILED" in message for message in messages) == 2
    assert read_manifest(tmp_path).directions == {}


def _run_cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    # An endpoint that refuses connections: the same as no network, whatever this machine has.
    environment = {
        **os.environ,
        "HF_ENDPOINT": "http://127.0.0.1:9",
        "HF_HUB_OFFLINE": "0",
        "HF_HUB_CACHE": "/nonexistent-hf-cache",
    }
    return subprocess.run(
        [sys.executable, "-m", "translation", "models", *arguments],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_without_network_fails_with_one_clean_line(tmp_path: Path) -> None:
    completed = _run_cli("--models-dir", str(tmp_path), "--direction", "cs-de", "--direction", "pl-cs")
    output = (completed.stdout + completed.stderr).strip()
    assert completed.returncode == 1
    assert "Traceback" not in output
    assert len(output.splitlines()) == 1, output
    assert output.startswith("error: no network") and "cs-de, pl-cs" in output and "--from" in output
    assert read_manifest(tmp_path).directions == {}


def test_cli_installs_from_an_offline_folder_without_network(tmp_path: Path, tiny_model_dir: Path) -> None:
    offline = tmp_path / "downloads"
    shutil.copytree(tiny_model_dir, offline / "Helsinki-NLP--opus-mt-de-cs")
    models_dir = tmp_path / "models"
    completed = _run_cli("--models-dir", str(models_dir), "--from", str(offline), "--direction", "de-cs")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stdout + completed.stderr
    installed = read_manifest(models_dir).directions["de-cs"]
    assert (models_dir / installed.ct2_dir / "model.bin").is_file()  # type: ignore[operator]
    assert installed.check_source == "Die Region Liberec fördert die Zusammenarbeit im Dreiländereck."


def test_model_dropped_into_the_models_folder_is_installed_in_place(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    shutil.copytree(tiny_model_dir, tmp_path / "Helsinki-NLP--opus-mt-pl-de")

    def refuse_download(spec: object, destination: Path) -> Path:
        raise AssertionError("the model in the models folder should have been used")

    results = install_models(["pl-de"], tmp_path, None, downloader=refuse_download, log=lambda _: None)
    assert [result.ok for result in results] == [True]
    installed = read_manifest(tmp_path).directions["pl-de"]
    assert installed.hf_dir == "Helsinki-NLP--opus-mt-pl-de"
    assert (tmp_path / "Helsinki-NLP--opus-mt-pl-de" / "ct2" / "model.bin").is_file()


def test_bench_results_merge_keeps_other_sections(tmp_path: Path) -> None:
    from bench.results import merge_results

    results = tmp_path / "results.json"
    results.write_text('{"documents": {"p50_ms": 12.5}, "translation": {"gpu": {"device": "cuda"}}}')
    merge_results({"ct2_speedup_single_sentence": 5.0}, "translation", path=results, keep=("gpu",))
    merged = json.loads(results.read_text(encoding="utf-8"))
    assert merged["documents"] == {"p50_ms": 12.5}
    assert merged["translation"] == {"ct2_speedup_single_sentence": 5.0, "gpu": {"device": "cuda"}}
