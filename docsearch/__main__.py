"""Command line: `python -m docsearch index [FOLDER ...]`, `python -m docsearch search "question"`.

Errors are one clean line on stderr and exit status 1 (2 for usage errors), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from docsearch.config import default_folders, index_path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m docsearch", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--index", type=Path, default=None, help="index file (default: $DOCUMENT_INDEX or var/index.sqlite)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="(re)index new and changed files; drop removed ones")
    index.add_argument(
        "folders",
        nargs="*",
        type=Path,
        help="folders to index in addition to $KNOWLEDGE_DIR (default knowledge) and $DOCUMENTS_DIR",
    )
    index.add_argument("--no-progress", action="store_true", help="no progress bar")

    search = commands.add_parser("search", help="search the index")
    search.add_argument("query")
    search.add_argument("--lang", choices=["cs", "de", "pl"], default=None)
    search.add_argument("-k", type=int, default=5, help="number of hits (1-50)")
    search.add_argument("--json", action="store_true", help="print JSON")

    answer = commands.add_parser("answer", help="the trimmed answer with its citation, or 'no answer'")
    answer.add_argument("query")
    answer.add_argument("--lang", choices=["cs", "de", "pl"], default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from docsearch import DocsearchError, DocumentIndex

    path = args.index or index_path()
    try:
        if args.command == "index":
            folders = list(dict.fromkeys([*default_folders(), *args.folders]))
            with DocumentIndex.open(path, rebuild_outdated=True) as index:
                report = index.update(folders, progress=not args.no_progress)
                stats = index.stats()
            for message in report.skipped:
                print(f"skipped: {message}", file=sys.stderr)
            print(
                f"{path}: {report.summary()}; "
                f"{stats['documents']} documents, {stats['passages']} passages in total"
            )
            return 0
        with DocumentIndex.open(path, create=False) as index:
            if args.command == "search":
                if not 1 <= args.k <= 50:
                    print("error: -k must be between 1 and 50", file=sys.stderr)
                    return 2
                hits, answer = index.search_and_answer(args.query, lang=args.lang, k=args.k)
                if args.json:
                    print(
                        json.dumps(
                            {
                                "query": args.query,
                                "answered": answer is not None,
                                "results": [hit.as_dict() for hit in hits],
                            },
                            ensure_ascii=False,
                            indent=2,
                        )
                    )
                    return 0
                for rank, hit in enumerate(hits, 1):
                    print(f"{rank}. [{hit.score:.3f}] {hit.file} § {hit.section or '-'} ({hit.date})")
                    print("   " + hit.text.replace("\n", "\n   ")[:600])
                if answer is None:
                    print("(the documents do not answer this)")
                return 0
            result = index.answer(args.query, lang=args.lang)
            if result is None:
                print("The documents do not answer this question.")
                return 0
            print(result.quote)
            print(f"-- {result.hit.title}, {result.hit.section or '-'}, {result.hit.date}, {result.hit.file}")
            return 0
    except DocsearchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
