"""Command line: `python -m translation models [--from DIR] [--direction cs-de ...]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from translation.backends import DecodingOptions
from translation.install import (
    default_offline_dirs,
    hub_unreachable_reason,
    install_models,
    local_model_folder,
)
from translation.manifest import manifest_path
from translation.model_store import ModelStore
from translation.registry import MODEL_REGISTRY, SUPPORTED_DIRECTIONS
from translation.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m translation", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    models = commands.add_parser(
        "models", help="download, convert (CTranslate2 int8), check and record models"
    )
    models.add_argument(
        "--from",
        dest="offline_dir",
        type=Path,
        help="folder with already-downloaded models (no network needed for those found there)",
    )
    models.add_argument(
        "--direction",
        dest="directions",
        action="append",
        choices=SUPPORTED_DIRECTIONS,
        help="install only this direction (repeatable; default: all)",
    )
    models.add_argument("--models-dir", type=Path, help="default: TRANSLATION_MODELS_DIR")
    models.add_argument(
        "--if-missing",
        action="store_true",
        help="for `make run`: install only directions not installed yet, say in one line what cannot be "
        "installed and what works then, and exit 0 either way",
    )
    commands.add_parser("list", help="show the model registry")
    vmap = commands.add_parser(
        "vmap", help="build a direction's vocabulary map (opt-in: TRANSLATION_USE_VMAP)"
    )
    vmap.add_argument("--direction", required=True, choices=SUPPORTED_DIRECTIONS)
    vmap.add_argument(
        "--parallel", nargs=2, type=Path, metavar=("SOURCE", "TARGET"), help="line-aligned corpus"
    )
    vmap.add_argument("--alignments", type=Path, help="word alignments of --parallel (Pharaoh i-j format)")
    vmap.add_argument(
        "--monolingual", type=Path, help="target-language text (the fallback without --parallel)"
    )
    vmap.add_argument("--models-dir", type=Path, help="default: TRANSLATION_MODELS_DIR")
    check = commands.add_parser("vmap-check", help="compare restricted and full output, record it")
    check.add_argument("--direction", required=True, choices=SUPPORTED_DIRECTIONS)
    check.add_argument("--sentences", required=True, type=Path, help="source sentences, one a line")
    check.add_argument("--beam-size", type=int, default=Settings.model_fields["beam_size"].default)
    check.add_argument("--models-dir", type=Path, help="default: TRANSLATION_MODELS_DIR")
    arguments = parser.parse_args(argv)
    if arguments.command in ("vmap", "vmap-check"):
        return vmap_command(arguments)

    if arguments.command == "list":
        for direction, spec in MODEL_REGISTRY.items():
            token = f" (target token {spec.target_token})" if spec.target_token else ""
            print(f"{direction}: {spec.hf_id}{token}")
        return 0

    models_dir = arguments.models_dir or Settings().models_dir
    directions = arguments.directions or list(SUPPORTED_DIRECTIONS)
    if arguments.if_missing:
        return install_missing(models_dir, directions)
    offline_dirs = ([arguments.offline_dir] if arguments.offline_dir else []) + default_offline_dirs()
    # Ask the network once, before anything else: without one, each download would fail on its own.
    needs_download = [
        direction
        for direction in directions
        if local_model_folder(MODEL_REGISTRY[direction], models_dir, offline_dirs) is None
    ]
    unreachable = hub_unreachable_reason() if needs_download else None
    if unreachable:
        directions = [direction for direction in directions if direction not in needs_download]
    results = install_models(directions, models_dir, offline_dirs) if directions else []
    failed = [result for result in results if not result.ok]
    if results:
        print(
            f"{len(results) - len(failed)} of {len(results)} directions installed; manifest: "
            f"{manifest_path(models_dir)}"
        )
    if unreachable:
        print(
            f"error: no network ({unreachable}); cannot download {', '.join(needs_download)}. "
            "Put already-downloaded models (e.g. Helsinki-NLP--opus-mt-cs-de/) in a folder and run "
            "`python -m translation models --from FOLDER`.",
            file=sys.stderr,
        )
        return 1
    if failed:
        print("error: not installed: " + ", ".join(result.direction for result in failed), file=sys.stderr)
        return 1
    return 0


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def vmap_command(arguments: argparse.Namespace) -> int:
    import json

    from translation.backends import _load_tokenizer
    from translation.manifest import read_manifest, write_manifest
    from translation.vmap import build_from_monolingual, build_from_parallel, write_vmap
    from translation.vmap_check import VmapCheckError, compare_restricted_and_full

    models_dir = arguments.models_dir or Settings().models_dir
    if arguments.command == "vmap-check":
        try:
            result = compare_restricted_and_full(
                models_dir, arguments.direction, _lines(arguments.sentences), arguments.beam_size
            )
        except (VmapCheckError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(json.dumps(result))
        return 0
    model = read_manifest(models_dir).directions.get(arguments.direction)
    if model is None or not model.ct2_dir:
        print(f"error: {arguments.direction} is not installed (make models)", file=sys.stderr)
        return 1
    if not arguments.parallel and not arguments.monolingual:
        print("error: give --parallel SOURCE TARGET or --monolingual TARGET_TEXT", file=sys.stderr)
        return 1
    tokenizer = _load_tokenizer(models_dir / model.hf_dir)
    if arguments.parallel:
        alignments = _lines(arguments.alignments) if arguments.alignments else None
        lines = build_from_parallel(
            tokenizer, _lines(arguments.parallel[0]), _lines(arguments.parallel[1]), alignments
        )
        built_from = "alignments" if alignments is not None else "parallel co-occurrence"
    else:
        lines = build_from_monolingual(tokenizer, _lines(arguments.monolingual))
        built_from = "monolingual"
    path = write_vmap(models_dir / model.ct2_dir, lines)
    manifest = read_manifest(models_dir)
    manifest.directions[arguments.direction].vmap = {
        "built_from": built_from,
        "rules": len(lines),
        "always_allowed": len(lines[0].split("\t", 1)[1].split()),
    }
    manifest.directions[arguments.direction].vmap_check = None  # a new map has not been checked
    write_manifest(models_dir, manifest)
    print(f"{arguments.direction}: {path} ({len(lines)} lines, from {built_from}); off until vmap-check")
    return 0


def install_missing(models_dir: Path, directions: list[str]) -> int:
    """`make run`'s step: quiet when everything is installed, downloads (with the hub's progress bar) when
    the hub answers, and otherwise one line naming what is missing and what works without it. Never fails:
    the stack starts either way, and the translation service answers 503 naming a missing direction."""
    installed = ModelStore(models_dir, "ct2", DecodingOptions()).installed()
    missing = [direction for direction in directions if direction not in installed]
    if not missing:
        return 0
    offline_dirs = default_offline_dirs()
    needs_download = [
        direction
        for direction in missing
        if local_model_folder(MODEL_REGISTRY[direction], models_dir, offline_dirs) is None
    ]
    unreachable = hub_unreachable_reason() if needs_download else None
    installable = [direction for direction in missing if not unreachable or direction not in needs_download]
    results = install_models(installable, models_dir, offline_dirs) if installable else []
    still_missing = [
        direction for direction in missing if direction not in {r.direction for r in results if r.ok}
    ]
    if still_missing:
        why = f"the model hub cannot be reached ({unreachable})" if unreachable else "installing failed"
        works = sorted(set(installed) | {result.direction for result in results if result.ok})
        print(
            f"translation models: {', '.join(still_missing)} not installed: {why}; "
            f"{'translation works for ' + ', '.join(works) if works else 'no translation direction works'}, "
            "the rest of the assistant works, and the service answers 503 for the missing directions "
            "(`make models` with a network, or `python -m translation models --from FOLDER`)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
