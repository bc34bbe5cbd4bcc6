"""The vocabulary map (CTranslate2 `vmap.txt`, used with `use_vmap`): a lexical shortlist of output pieces.

About 55% of CTranslate2's time on an OPUS-MT model goes to the 58k-row output projection at every step
(issue 14); with a map, each batch only scores the pieces the map allows for its source pieces. Each line is
`source piece<TAB>target pieces`, and the line with an empty source lists pieces that are always allowed.

Two ways to build it:
- from a parallel corpus: the target pieces that co-occur with each source piece (Dice coefficient over
  sentence pairs, the classic lexical-table estimate; with `alignments` in Pharaoh format, as fast_align or
  eflomal write them, only aligned word pairs count), the best `per_source` per source piece, plus the
  `common` most frequent target pieces always;
- from monolingual target-language text (the fallback): every target piece seen there is always allowed,
  so pieces of the source language in the joint vocabulary, and pieces never seen in the language, are cut.

Quality cannot be judged with random weights, so the map stays off (TRANSLATION_USE_VMAP) until
`python -m translation vmap-check` has compared restricted and full output with the real models.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

VMAP_NAME = "vmap.txt"  # the name CTranslate2 loads from the model folder
_SPECIAL = {"</s>", "<unk>", "<pad>"}


def _pieces(tokenizer: Any, text: str, target: bool) -> list[str]:
    ids = tokenizer(text_target=text)["input_ids"] if target else tokenizer(text)["input_ids"]
    return [piece for piece in tokenizer.convert_ids_to_tokens(ids) if piece not in _SPECIAL]


def _word_pieces(tokenizer: Any, words: Sequence[str], target: bool) -> list[list[str]]:
    return [_pieces(tokenizer, word, target) for word in words]


def build_from_monolingual(tokenizer: Any, target_lines: Iterable[str]) -> list[str]:
    seen: Counter[str] = Counter()
    for line in target_lines:
        seen.update(_pieces(tokenizer, line, target=True))
    return ["\t" + " ".join(sorted(seen))]


def build_from_parallel(
    tokenizer: Any,
    source_lines: Iterable[str],
    target_lines: Iterable[str],
    alignments: Iterable[str] | None = None,
    per_source: int = 50,
    common: int = 1000,
) -> list[str]:
    source_counts: Counter[str] = Counter()
    target_counts: Counter[str] = Counter()
    pair_counts: Counter[tuple[str, str]] = Counter()
    alignment_lines = iter(alignments) if alignments is not None else None
    for source_line, target_line in zip(source_lines, target_lines, strict=False):
        if alignment_lines is None:
            source_set = set(_pieces(tokenizer, source_line, target=False))
            target_set = set(_pieces(tokenizer, target_line, target=True))
            pairs = set(itertools.product(source_set, target_set))
        else:
            # Word indices "i-j" per line; each source word's pieces pair with its target word's pieces.
            source_words = _word_pieces(tokenizer, source_line.split(), target=False)
            target_words = _word_pieces(tokenizer, target_line.split(), target=True)
            source_set = {piece for word in source_words for piece in word}
            target_set = {piece for word in target_words for piece in word}
            pairs = set()
            for link in next(alignment_lines, "").split():
                i, _, j = link.partition("-")
                if i.isdigit() and j.isdigit() and int(i) < len(source_words) and int(j) < len(target_words):
                    pairs.update(itertools.product(source_words[int(i)], target_words[int(j)]))
        source_counts.update(source_set)
        target_counts.update(target_set)
        pair_counts.update(pairs)
    candidates: dict[str, list[tuple[float, str]]] = {}
    for (source, target), together in pair_counts.items():
        dice = 2 * together / (source_counts[source] + target_counts[target])
        candidates.setdefault(source, []).append((dice, target))
    lines = ["\t" + " ".join(sorted(piece for piece, _ in target_counts.most_common(common)))]
    for source in sorted(candidates):
        best = sorted(candidates[source], reverse=True)[:per_source]
        lines.append(f"{source}\t{' '.join(target for _, target in best)}")
    return lines


def write_vmap(ct2_dir: Path, lines: list[str]) -> Path:
    path = ct2_dir / VMAP_NAME
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def allowed_pieces(ct2_dir: Path, source_pieces: Iterable[str]) -> set[str]:
    """The output pieces the map allows for these source pieces (tests and the check's report)."""
    rules: dict[str, list[str]] = {}
    for line in (ct2_dir / VMAP_NAME).read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        rules[key] = values.split()
    allowed = set(rules.get("", []))
    for piece in source_pieces:
        allowed.update(rules.get(piece, []))
    return allowed | {"</s>", "<unk>"}
