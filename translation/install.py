"""Installing models: download (or take from an offline folder), convert to CTranslate2 int8, check, record.

Layout under TRANSLATION_MODELS_DIR:
    <owner>--<name>/hf/     MarianMT weights and tokenizer files (source.spm, target.spm, vocab.json)
    <owner>--<name>/ct2/    the CTranslate2 int8 conversion
    manifest.json           which directions are installed and from what
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from translation.backends import CTranslate2Backend, DecodingOptions
from translation.compute_types import probe_compute_types
from translation.manifest import InstalledModel, read_manifest, write_manifest
from translation.registry import MODEL_REGISTRY, ModelSpec

CHECK_SENTENCES = {
    "cs": "Liberecký kraj podporuje spolupráci v Trojzemí.",
    "de": "Die Region Liberec fördert die Zusammenarbeit im Dreiländereck.",
    "pl": "Kraj liberecki wspiera współpracę na Trójstyku.",
}
# Files a Marian model needs; anything else in the repository (TF/Flax weights, READMEs) is skipped.
MODEL_FILE_PATTERNS = ["*.json", "*.spm", "*.safetensors", "pytorch_model.bin", "*.txt"]
_REQUIRED_FILES = ("config.json", "source.spm", "target.spm", "vocab.json")


class InstallError(RuntimeError):
    """A model could not be installed; the message is for the operator, without a traceback."""


@dataclass
class InstallResult:
    direction: str
    ok: bool
    message: str


Downloader = Callable[[ModelSpec, Path], Path]


def download_from_hub(spec: ModelSpec, destination: Path) -> Path:
    """Download the model files with huggingface_hub (its tqdm progress bar shows on the terminal)."""
    from huggingface_hub import snapshot_download

    try:
        return Path(
            snapshot_download(
                repo_id=spec.hf_id,
                local_dir=str(destination),
                allow_patterns=MODEL_FILE_PATTERNS,
                etag_timeout=10,
            )
        )
    except Exception as error:  # network errors come in many classes; all mean "not downloadable here"
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InstallError(
            f"download of {spec.hf_id} failed ({type(error).__name__}: {reason[:200]})"
        ) from error


def hub_unreachable_reason(timeout_s: float = 5.0, connect_timeout_s: float = 3.0) -> str | None:
    """Why the Hugging Face hub cannot be reached from here, or None when it answers (any HTTP status).
    The connect timeout is short: on a machine whose firewall drops packets, `make run` must not hang."""
    import httpx
    from huggingface_hub import constants

    try:
        httpx.head(constants.ENDPOINT, timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s))
    except httpx.HTTPError as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return f"{constants.ENDPOINT} unreachable: {reason[:160]}"
    return None


def default_offline_dirs() -> list[Path]:
    """Where already-downloaded models are looked for without --from: the Hugging Face cache."""
    from huggingface_hub import constants

    return [Path(constants.HF_HUB_CACHE)]


def _is_model_folder(folder: Path) -> bool:
    return all((folder / name).is_file() for name in _REQUIRED_FILES)


def local_model_folder(spec: ModelSpec, models_dir: Path, offline_dirs: list[Path]) -> Path | None:
    """A folder on this machine with the model's files (installed, dropped into the models folder, or in an
    offline folder), or None when it has to be downloaded."""
    model_root = models_dir / spec.folder_name
    for folder in (model_root / "hf", model_root):
        if _is_model_folder(folder):
            return folder
    for offline_dir in offline_dirs:
        found = find_offline_copy(spec, offline_dir)
        if found is not None:
            return found
    return None


def find_offline_copy(spec: ModelSpec, offline_dir: Path) -> Path | None:
    """An already-downloaded copy: <dir>/<owner>--<name>, <dir>/<owner>/<name>, <dir>/<name> or the
    Hugging Face cache layout <dir>/models--<owner>--<name>/snapshots/<revision>."""
    owner_and_name = spec.hf_id.split("/")
    candidates = [
        offline_dir / spec.folder_name,
        offline_dir.joinpath(*owner_and_name),
        offline_dir / owner_and_name[-1],
        offline_dir / spec.folder_name / "hf",
    ]
    cache_snapshots = offline_dir / f"models--{spec.folder_name}" / "snapshots"
    if cache_snapshots.is_dir():
        candidates.extend(sorted(cache_snapshots.iterdir(), reverse=True))
    for candidate in candidates:
        if _is_model_folder(candidate):
            return candidate
    return None


def _check_model_files(folder: Path, spec: ModelSpec) -> None:
    missing = [name for name in _REQUIRED_FILES if not (folder / name).is_file()]
    has_weights = any((folder / name).is_file() for name in ("model.safetensors", "pytorch_model.bin"))
    if missing or not has_weights:
        what = ", ".join(missing + ([] if has_weights else ["model weights"]))
        raise InstallError(f"{spec.hf_id} in {folder} is incomplete (missing {what})")


def convert_to_ct2(hf_dir: Path, ct2_dir: Path) -> None:
    from ctranslate2.converters import TransformersConverter

    try:
        TransformersConverter(str(hf_dir)).convert(str(ct2_dir), quantization="int8", force=True)
    except Exception as error:
        raise InstallError(f"conversion of {hf_dir} to CTranslate2 failed: {error}") from error


def install_direction(
    direction: str,
    models_dir: Path,
    offline_dirs: Sequence[Path] = (),
    downloader: Downloader = download_from_hub,
    log: Callable[[str], None] = print,
) -> InstalledModel:
    spec = MODEL_REGISTRY[direction]
    model_root = models_dir / spec.folder_name
    hf_dir = model_root / "hf"
    ct2_dir = model_root / "ct2"
    if not _is_model_folder(hf_dir) and _is_model_folder(model_root):
        hf_dir = model_root  # a downloaded model dropped straight into TRANSLATION_MODELS_DIR: use it there
    if not _is_model_folder(hf_dir):
        source = next(
            (found for folder in offline_dirs if (found := find_offline_copy(spec, folder)) is not None), None
        )
        if source is not None:
            log(f"{direction}: copying {spec.hf_id} from {source}")
            if hf_dir.exists():
                shutil.rmtree(hf_dir)
            shutil.copytree(source, hf_dir)
        else:
            log(f"{direction}: downloading {spec.hf_id}")
            downloader(spec, hf_dir)
    _check_model_files(hf_dir, spec)
    if not (ct2_dir / "model.bin").is_file():
        log(f"{direction}: converting to CTranslate2 int8")
        convert_to_ct2(hf_dir, ct2_dir)
    source_language = direction.split("-")[0]
    check_sentence = CHECK_SENTENCES[source_language]
    try:
        options = DecodingOptions(beam_size=2, max_output_tokens=64)
        backend = CTranslate2Backend(hf_dir, ct2_dir, spec.target_token, options)
        probe = probe_compute_types(ct2_dir, backend.source_tokens([check_sentence]))
        backend = CTranslate2Backend(hf_dir, ct2_dir, spec.target_token, options, probe.fastest)
        check_output = backend.translate_batch([check_sentence])[0]
    except Exception as error:
        raise InstallError(f"{direction}: the converted model does not translate: {error}") from error
    timings = ", ".join(f"{name} {ms} ms" for name, ms in sorted(probe.milliseconds.items()))
    log(f"{direction}: compute type {probe.fastest} (one sentence: {timings})")
    log(f"{direction}: check {check_sentence!r} -> {check_output[:120]!r}")
    return InstalledModel(
        direction=direction,
        hf_id=spec.hf_id,
        hf_dir=str(hf_dir.relative_to(models_dir)),
        ct2_dir=str(ct2_dir.relative_to(models_dir)),
        target_token=spec.target_token,
        quantization="int8",
        compute_type=probe.fastest,
        compute_type_ms=probe.milliseconds,
        check_source=check_sentence,
        check_output=check_output,
        installed_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def install_models(
    directions: list[str],
    models_dir: Path,
    offline_dirs: Path | Sequence[Path] | None = None,
    downloader: Downloader = download_from_hub,
    log: Callable[[str], None] = print,
) -> list[InstallResult]:
    """Install each direction; a failure is reported per direction and the others go on."""
    if offline_dirs is None:
        offline_dirs = []
    elif isinstance(offline_dirs, Path):
        offline_dirs = [offline_dirs]
    results: list[InstallResult] = []
    for direction in directions:
        try:
            installed = install_direction(direction, models_dir, list(offline_dirs), downloader, log)
        except InstallError as error:
            message = str(error)
            log(f"{direction}: FAILED: {message}")
            results.append(InstallResult(direction, False, message))
            continue
        except OSError as error:  # disk full, permissions: still one clear line
            log(f"{direction}: FAILED: {error}")
            results.append(InstallResult(direction, False, str(error)))
            continue
        manifest = read_manifest(models_dir)  # re-read: record each success as soon as it happens
        manifest.directions[direction] = installed
        write_manifest(models_dir, manifest)
        results.append(InstallResult(direction, True, f"installed {installed.hf_id}"))
    return results
