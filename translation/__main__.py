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
    arguments = parser.parse_args(argv)

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
