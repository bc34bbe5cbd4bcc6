"""Command line: `python -m translation models [--from DIR] [--direction cs-de ...]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from translation.install import (
    default_offline_dirs,
    hub_unreachable_reason,
    install_models,
    local_model_folder,
)
from translation.manifest import manifest_path
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
    commands.add_parser("list", help="show the model registry")
    arguments = parser.parse_args(argv)

    if arguments.command == "list":
        for direction, spec in MODEL_REGISTRY.items():
            token = f" (target token {spec.target_token})" if spec.target_token else ""
            print(f"{direction}: {spec.hf_id}{token}")
        return 0

    models_dir = arguments.models_dir or Settings().models_dir
    directions = arguments.directions or list(SUPPORTED_DIRECTIONS)
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


if __name__ == "__main__":
    sys.exit(main())
