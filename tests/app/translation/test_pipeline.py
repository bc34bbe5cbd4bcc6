"""The whole pipeline on both backends with the tiny random-weight model: structure, not quality."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bs4 import BeautifulSoup

from tests.app.translation.conftest import make_settings
from translation.manifest import read_manifest
from translation.service import TranslationService

PROTECTED_TEXT = (
    "Liberecký kraj a Euroregion Nisa podporují Trojzemí. Program 2.6 rozdělí 690 230 Kč do 15. 6. 2026.\n"
    "Informace: https://www.kraj-lbc.cz/dotace nebo dotace@kraj-lbc.cz, platforma Lipo.ink."
)
SENTENCES = [
    "Krajský úřad odpovídá na dotazy.",
    "Dotační program je určen obcím.",
    "Pracovní skupina se sešla v Liberci.",
    "Koncepce má tři strategické cíle.",
    "Žádost podejte včas.",
    "Více informací najdete na webu.",
]


async def test_protected_terms_survive_into_german(service: TranslationService) -> None:
    translated = await service.translate_text(PROTECTED_TEXT, "cs", "de")
    for expected in [
        "Region Liberec",
        "Euroregion Neiße",
        "Dreiländereck",
        "2.6",
        "690 230 Kč",
        "15. 6. 2026",
        "https://www.kraj-lbc.cz/dotace",
        "dotace@kraj-lbc.cz",
        "Lipo.ink",
    ]:
        assert expected in translated, (expected, translated)
    assert translated.count("\n") == 1  # the line break stays
    assert "ZQX" not in translated.upper()  # no placeholder leaks


async def test_polish_target_uses_polish_glossary_forms(service: TranslationService) -> None:
    translated = await service.translate_text("Trojzemí a Liberecký kraj.", "cs", "pl")
    assert "Trójstyk" in translated and "Kraj liberecki" in translated


async def test_batched_output_equals_unbatched(tiny_models_dir: Path, backend: str) -> None:
    serial = TranslationService(
        make_settings(tiny_models_dir, backend=backend, batch_max_size=1, cache_size=0)
    )
    batched = TranslationService(
        make_settings(tiny_models_dir, backend=backend, batch_max_size=16, batch_max_wait_ms=50, cache_size=0)
    )
    one_by_one = [(await serial.translate_sentences([sentence], "cs", "de"))[0] for sentence in SENTENCES]
    concurrent = await asyncio.gather(
        *(batched.translate_sentences([sentence], "cs", "de") for sentence in SENTENCES)
    )
    assert [result[0] for result in concurrent] == one_by_one
    # Not vacuous: the model's output depends on its input, so a mix-up inside a batch would show.
    assert len(set(one_by_one)) >= len(SENTENCES) // 2, one_by_one
    # The concurrent requests really shared model calls.
    assert batched.metrics.snapshot()["batches"]["max_size"] > 1  # type: ignore[index]
    assert serial.metrics.snapshot()["batches"]["max_size"] == 1  # type: ignore[index]
    await serial.close()
    await batched.close()


async def test_cache_hits_skip_the_model(service: TranslationService) -> None:
    first = await service.translate_text("Krajský úřad odpovídá. Krajský úřad odpovídá.", "cs", "de")
    batches_after_first = service.metrics.snapshot()["batches"]["count"]  # type: ignore[index]
    second = await service.translate_text("Krajský úřad odpovídá.", "cs", "de")
    snapshot = service.metrics.snapshot()
    assert first == f"{second} {second}"  # the repeated sentence was translated once, then cached
    assert snapshot["cache"]["hits"] >= 1  # type: ignore[index]
    assert snapshot["batches"]["count"] == batches_after_first  # type: ignore[index]


async def test_paragraphs_and_line_breaks_are_kept(service: TranslationService) -> None:
    text = "První odstavec. Druhá věta.\n\nDruhý odstavec.\n- položka jedna\n- položka dvě\n"
    translated = await service.translate_text(text, "cs", "de")
    assert re.findall(r"\n+", translated) == re.findall(r"\n+", text)
    assert translated.endswith("\n")


async def test_html_keeps_markup_valid(service: TranslationService) -> None:
    html = (
        '<div class="box"><h1>Dotace Libereckého kraje</h1><p>Program <b>2.6</b> podporuje obce.</p>'
        '<ul><li>Žádost podejte včas.</li><li><a href="https://www.kraj-lbc.cz">Web kraje</a></li></ul>'
        "<script>var x = 'Nepřekládat';</script></div>"
    )
    translated = await service.translate_html(html, "cs", "de")
    original_tags = [(tag.name, dict(tag.attrs)) for tag in BeautifulSoup(html, "html.parser").find_all(True)]
    translated_soup = BeautifulSoup(translated, "html.parser")
    assert [(tag.name, dict(tag.attrs)) for tag in translated_soup.find_all(True)] == original_tags
    assert "var x = 'Nepřekládat';" in translated  # scripts are not prose
    assert translated_soup.find("b").get_text() == "2.6"  # type: ignore[union-attr]
    assert "Region Liberec" in translated_soup.find("h1").get_text()  # type: ignore[union-attr]


async def test_same_language_is_returned_unchanged(service: TranslationService) -> None:
    assert await service.translate_text("Beze změny.", "cs", "cs") == "Beze změny."


async def test_model_lru_bounds_loaded_models(tiny_models_dir: Path, backend: str) -> None:
    bounded = TranslationService(make_settings(tiny_models_dir, backend=backend, max_loaded_models=1))
    await bounded.translate_sentences(["Krajský úřad."], "cs", "de")
    await bounded.translate_sentences(["Das Kreisamt."], "de", "cs")
    await bounded.translate_sentences(["Urząd."], "pl", "cs")
    assert len(bounded.store.loaded_keys()) == 1
    assert bounded.store.evictions == 2
    await bounded.close()


def test_both_backends_compute_the_same_model(tiny_models_dir: Path) -> None:
    """Same tokenisation, faithful conversion: CTranslate2 (float32) scores the transformers translation
    token by token with the probabilities transformers gave it. A token shifted or mapped to another id, or
    a weight lost in conversion, moves the scores by whole nats; kernels only by hundredths."""
    import ctranslate2
    import torch

    from translation.backends import DecodingOptions, TransformersBackend

    installed = read_manifest(tiny_models_dir).directions["cs-pl"]
    options = DecodingOptions(beam_size=1, max_output_tokens=20)
    reference = TransformersBackend(tiny_models_dir / installed.hf_dir, installed.target_token, options)
    tokenizer, model = reference.tokenizer, reference.model
    translator = ctranslate2.Translator(
        str(tiny_models_dir / str(installed.ct2_dir)), compute_type="float32", intra_threads=1
    )
    for sentence in SENTENCES[:3]:
        source_ids = tokenizer.encode(f"{installed.target_token} {sentence}")
        assert source_ids[0] == tokenizer.convert_tokens_to_ids(">>pol<<")  # the token is one piece
        target_ids = tokenizer.encode(reference.translate_batch([sentence])[0])
        with torch.inference_mode():
            logits = model(
                input_ids=torch.tensor([source_ids]),
                decoder_input_ids=torch.tensor([[tokenizer.pad_token_id, *target_ids[:-1]]]),
            ).logits[0]
        # CTranslate2 drops <pad> (the last id) from the vocabulary; so must the reference's softmax.
        reference_log_probs = logits[:, :-1].log_softmax(-1)
        expected = [float(reference_log_probs[index, token]) for index, token in enumerate(target_ids)]
        scored = translator.score_batch(
            [tokenizer.convert_ids_to_tokens(source_ids)],
            [tokenizer.convert_ids_to_tokens(target_ids[:-1])],
        )[0]
        assert len(scored.log_probs) == len(expected)
        # Kernels differ (fused attention, exp approximations) and random weights amplify that a little.
        for got, want in zip(scored.log_probs, expected, strict=True):
            assert abs(got - want) <= 0.2 * abs(want) + 0.35, (sentence, scored.log_probs, expected)


def test_both_backends_feed_the_same_tokens(tiny_models_dir: Path) -> None:
    from translation.backends import CTranslate2Backend, DecodingOptions, TransformersBackend

    installed = read_manifest(tiny_models_dir).directions["pl-cs"]
    hf_dir, ct2_dir = tiny_models_dir / installed.hf_dir, tiny_models_dir / str(installed.ct2_dir)
    options = DecodingOptions(beam_size=1, max_output_tokens=4)
    reference = TransformersBackend(hf_dir, installed.target_token, options)
    ct2 = CTranslate2Backend(hf_dir, ct2_dir, installed.target_token, options)
    encoded = reference.encode(SENTENCES)
    expected = [
        reference.tokenizer.convert_ids_to_tokens([int(i) for i, keep in zip(ids, mask, strict=True) if keep])
        for ids, mask in zip(encoded["input_ids"], encoded["attention_mask"], strict=True)
    ]
    assert ct2.source_tokens(SENTENCES) == expected
    assert all(tokens[0] == ">>ces<<" and tokens[-1] == "</s>" for tokens in expected)
