"""Five-fold cross-validation of the Rasa NLU with intent F1 per language.

`rasa test nlu --cross-validation` reports one number over all languages; the assistant is Czech first,
so this script keeps the language of every example (the folder it comes from: nlu_data/cs, de, pl),
splits the examples into folds stratified by intent and language, trains the NLU pipeline of config.yml
on each training part (plus the shared lookups, synonyms and regexes of nlu_data/lookups), and
classifies the held-out part. Every example is predicted exactly once, by the model that did not see it.

Reported (reports/nlu/): macro F1 of intents for Czech, German, Polish and all examples, the per-intent
report, entity precision/recall/F1 and the misclassified examples.

A prediction of `nlu_fallback` (confidence below the FallbackClassifier threshold) counts as wrong in the
main numbers, as in production; the top real intent is reported as well ("without fallback").

Run: .venv-rasa/bin/python scripts/nlu_report.py [--folds 5] [--out reports/nlu]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts scripts/ on the path, not the repository: config.yml names the custom component
# nlu_components.e5_featurizer, which must be importable.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
LANGUAGES = ("cs", "de", "pl")
FALLBACK_INTENT = "nlu_fallback"


@dataclass
class LabelledExample:
    """One NLU example with the language of the folder it came from."""

    text: str
    intent: str
    language: str
    entities: set[tuple[str, str]]
    message: Any  # rasa Message, kept to write the training folds


@dataclass
class Prediction:
    example: LabelledExample
    intent: str
    top_real_intent: str
    confidence: float
    entities: set[tuple[str, str]] = field(default_factory=set)


def entity_set(entities: list[dict[str, Any]] | None) -> set[tuple[str, str]]:
    """(entity, value) pairs; e-mail/phone come from the regex extractor only, so they are left out."""
    return {
        (str(entity["entity"]), str(entity["value"]))
        for entity in entities or []
        if entity["entity"] not in {"email", "phone"}
    }


def load_examples(nlu_dir: Path) -> tuple[list[LabelledExample], Any]:
    """Examples of cs/, de/, pl/ with their language, and the shared lookups as TrainingData."""
    from rasa.shared.nlu.training_data.loading import load_data

    examples: list[LabelledExample] = []
    for language in LANGUAGES:
        language_dir = nlu_dir / language
        if not language_dir.is_dir():
            raise SystemExit(f"nlu_report: missing folder {language_dir}")
        data = load_data(str(language_dir))
        for message in data.intent_examples:
            examples.append(
                LabelledExample(
                    text=message.get("text"),
                    intent=message.get("intent"),
                    language=language,
                    entities=entity_set(message.get("entities")),
                    message=message,
                )
            )
    lookups = load_data(str(nlu_dir / "lookups"))
    return examples, lookups


def stratified_folds(examples: list[LabelledExample], folds: int, seed: int) -> list[list[int]]:
    """Indices per fold; each (intent, language) group is dealt round-robin after a seeded shuffle."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        groups[(example.intent, example.language)].append(index)
    rng = random.Random(seed)
    fold_indices: list[list[int]] = [[] for _ in range(folds)]
    offset = 0
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for position, index in enumerate(members):
            fold_indices[(position + offset) % folds].append(index)
        offset += len(members)
    return fold_indices


def train_fold(config: Path, training_data: Any, work_dir: Path, fold: int) -> Path:
    from rasa.model_training import train_nlu
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    data_file = work_dir / f"fold{fold}_train.yml"
    RasaYAMLWriter().dump(str(data_file), training_data)
    model_path = train_nlu(str(config), str(data_file), str(work_dir), fixed_model_name=f"fold{fold}")
    if not model_path:
        raise SystemExit(f"nlu_report: training fold {fold} failed")
    return Path(model_path)


async def predict(model_path: Path, examples: list[LabelledExample]) -> list[Prediction]:
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    processor = Agent.load(str(model_path)).processor
    predictions = []
    for example in examples:
        parsed = await processor.parse_message(UserMessage(example.text))
        ranking = parsed.get("intent_ranking") or [parsed.get("intent") or {}]
        real = [item for item in ranking if item.get("name") != FALLBACK_INTENT]
        predictions.append(
            Prediction(
                example=example,
                intent=str((parsed.get("intent") or {}).get("name")),
                top_real_intent=str(real[0]["name"]) if real else FALLBACK_INTENT,
                confidence=float((parsed.get("intent") or {}).get("confidence") or 0.0),
                entities=entity_set(parsed.get("entities")),
            )
        )
    return predictions


def macro_f1(predictions: list[Prediction], use_fallback: bool = True) -> tuple[float, dict[str, Any]]:
    from sklearn.metrics import classification_report

    gold = [prediction.example.intent for prediction in predictions]
    predicted = [
        prediction.intent if use_fallback else prediction.top_real_intent for prediction in predictions
    ]
    labels = sorted(set(gold))
    report = classification_report(gold, predicted, labels=labels, output_dict=True, zero_division=0)
    return float(report["macro avg"]["f1-score"]), report


def entity_scores(predictions: list[Prediction]) -> dict[str, float]:
    true_positive = sum(len(p.entities & p.example.entities) for p in predictions)
    predicted = sum(len(p.entities) for p in predictions)
    gold = sum(len(p.example.entities) for p in predictions)
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "gold": gold}


def write_json(path: Path, content: Any) -> None:
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_reports(predictions: list[Prediction], out_dir: Path, meta: dict[str, Any]) -> dict[str, Any]:
    out_dir.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"meta": meta, "languages": {}}
    per_language_reports: dict[str, Any] = {}
    for language in (*LANGUAGES, "all"):
        subset = [p for p in predictions if language == "all" or p.example.language == language]
        if not subset:
            continue
        f1, report = macro_f1(subset)
        f1_without_fallback, _ = macro_f1(subset, use_fallback=False)
        accuracy = sum(p.intent == p.example.intent for p in subset) / len(subset)
        summary["languages"][language] = {
            "examples": len(subset),
            "intent_macro_f1": round(f1, 4),
            "intent_macro_f1_without_fallback": round(f1_without_fallback, 4),
            "intent_accuracy": round(accuracy, 4),
            "fallback_rate": round(sum(p.intent == FALLBACK_INTENT for p in subset) / len(subset), 4),
            "entities": entity_scores(subset),
        }
        per_language_reports[language] = report
    czech_report = per_language_reports["cs"]
    summary["weakest_czech_intents"] = sorted(
        (
            {"intent": name, "f1": round(values["f1-score"], 4), "support": values["support"]}
            for name, values in czech_report.items()
            if isinstance(values, dict) and name not in {"macro avg", "weighted avg", "micro avg"}
        ),
        key=lambda item: item["f1"],
    )[:5]
    errors = [
        {
            "language": p.example.language,
            "text": p.example.text,
            "intent": p.example.intent,
            "predicted": p.intent,
            "top_real_intent": p.top_real_intent,
            "confidence": round(p.confidence, 3),
        }
        for p in predictions
        if p.intent != p.example.intent
    ]
    write_json(out_dir / "summary.json", summary)
    write_json(out_dir / "intent_report_by_language.json", per_language_reports)
    write_json(out_dir / "intent_errors.json", errors)
    markdown = render_markdown(summary, per_language_reports, errors)
    (out_dir / "README.md").write_text(markdown, encoding="utf-8")
    return summary


def render_markdown(summary: dict[str, Any], reports: dict[str, Any], errors: list[dict[str, Any]]) -> str:
    meta = summary["meta"]
    lines = [
        "# NLU cross-validation report",
        "",
        f"Generated by `scripts/nlu_report.py`: {meta['folds']}-fold cross-validation stratified by "
        f"intent and language (seed {meta['seed']}), pipeline `{meta['config']}`, "
        f"{meta['examples']} examples, "
        f"{meta['minutes']} minutes on this machine. Every example is classified once by the model trained "
        "without it; the language of an example is the folder it comes from (nlu_data/cs, de, pl).",
        "`nlu_fallback` (confidence under the FallbackClassifier threshold) counts as a wrong intent.",
        "",
        "| language | examples | intent macro F1 | macro F1 without fallback | accuracy | fallback rate "
        "| entity F1 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for language, values in summary["languages"].items():
        lines.append(
            f"| {language} | {values['examples']} | {values['intent_macro_f1']:.3f} | "
            f"{values['intent_macro_f1_without_fallback']:.3f} | {values['intent_accuracy']:.3f} | "
            f"{values['fallback_rate']:.3f} | {values['entities']['f1']:.3f} |"
        )
    lines += [
        "",
        "## Czech intents (F1, precision, recall, support)",
        "",
        "| intent | F1 | P | R | n |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, values in sorted(reports["cs"].items()):
        if isinstance(values, dict) and name not in {"macro avg", "weighted avg", "micro avg"}:
            lines.append(
                f"| {name} | {values['f1-score']:.3f} | {values['precision']:.3f} | {values['recall']:.3f} | "
                f"{int(values['support'])} |"
            )
    weakest = ", ".join(f"{item['intent']} ({item['f1']:.3f})" for item in summary["weakest_czech_intents"])
    lines += [
        "",
        f"Weakest Czech intents: {weakest}.",
        "",
        f"## Misclassified examples ({len(errors)})",
        "",
        "| lang | text | intent | predicted | confidence |",
        "| --- | --- | --- | --- | --- |",
    ]
    for error in errors:
        text = error["text"].replace("|", "\\|")
        lines.append(
            f"| {error['language']} | {text} | {error['intent']} | {error['predicted']} "
            f"| {error['confidence']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=REPO_ROOT / "config.yml")
    parser.add_argument("--nlu", type=Path, default=REPO_ROOT / "nlu_data")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "reports" / "nlu")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--min-czech-f1", type=float, default=None, help="exit 1 when the Czech intent macro F1 is lower"
    )
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    if not args.config.is_file():
        parser.error(f"config not found: {args.config}")

    logging.basicConfig(level=logging.WARNING)
    started = time.monotonic()
    examples, lookups = load_examples(args.nlu)
    fold_indices = stratified_folds(examples, args.folds, args.seed)

    from rasa.shared.nlu.training_data.training_data import TrainingData

    predictions: list[Prediction] = []
    with tempfile.TemporaryDirectory(prefix="nlu_report_") as work:
        for fold, test_indices in enumerate(fold_indices):
            held_out = set(test_indices)
            train_messages = [example.message for i, example in enumerate(examples) if i not in held_out]
            training_data = TrainingData(training_examples=train_messages).merge(lookups)
            print(
                f"fold {fold + 1}/{args.folds}: training on {len(train_messages)}, testing {len(held_out)}",
                flush=True,
            )
            model_path = train_fold(args.config, training_data, Path(work), fold)
            predictions += asyncio.run(predict(model_path, [examples[i] for i in test_indices]))

    meta = {
        "folds": args.folds,
        "seed": args.seed,
        "config": args.config.name,
        "examples": len(examples),
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    summary = write_reports(predictions, args.out, meta)
    for language, values in summary["languages"].items():
        print(f"{language}: intent macro F1 {values['intent_macro_f1']:.3f} ({values['examples']} examples)")
    print(f"report: {args.out / 'README.md'}")
    czech_f1 = summary["languages"]["cs"]["intent_macro_f1"]
    if args.min_czech_f1 is not None and czech_f1 < args.min_czech_f1:
        print(f"Czech intent macro F1 {czech_f1:.3f} is below {args.min_czech_f1}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
