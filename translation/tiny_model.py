"""Builder of Marian models with random weights, for tests and the benchmark only.

The model is real in every way that matters to the service (MarianTokenizer files, MarianMTModel weights,
CTranslate2 conversion), only the weights are random, so its output is garbage text. It is never installed
or served by default: tests build it into a temporary folder and point the service at it.
"""

from __future__ import annotations

import io
import itertools
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import yaml

from translation.glossary import DEFAULT_GLOSSARY_PATH

# Target-language tokens of the multilingual OPUS-MT models; kept in every tiny vocabulary so the
# `>>pol<<` / `>>ces<<` path can be exercised with any tiny model.
LANGUAGE_TOKENS = (">>ces<<", ">>pol<<", ">>deu<<")

_PROJECT_SENTENCES = {
    "cs": [
        "Liberecký kraj podporuje spolupráci obcí v Trojzemí.",
        "Dotační program {n} je určen obcím a neziskovým organizacím.",
        "Žádost podejte do {d}. června {y} na adrese podatelna@kraj-lbc.cz.",
        "Celková částka podpory činí {a} Kč.",
        "Více informací najdete na https://www.kraj-lbc.cz/dotace.",
        "Krajský úřad odpovídá na dotazy občanů v pracovní dny.",
        "Euroregion Nisa spojuje české, německé a polské regiony.",
        "Platforma Lipo.ink pomáhá začínajícím podnikatelům.",
        "Koncepce Chytřejší kraj má tři strategické cíle.",
        "Pracovní skupina se sešla {d}. května {y} v Liberci.",
    ],
    "de": [
        "Die Region Liberec fördert die Zusammenarbeit der Gemeinden im Dreiländereck.",
        "Das Förderprogramm {n} richtet sich an Gemeinden und gemeinnützige Organisationen.",
        "Reichen Sie den Antrag bis zum {d}. Juni {y} an podatelna@kraj-lbc.cz ein.",
        "Der Gesamtbetrag der Förderung beträgt {a} Kč.",
        "Weitere Informationen finden Sie unter https://www.kraj-lbc.cz/dotace.",
        "Das Kreisamt beantwortet Fragen der Bürger an Werktagen.",
        "Die Euroregion Neiße verbindet tschechische, deutsche und polnische Regionen.",
        "Die Plattform Lipo.ink hilft jungen Unternehmern.",
        "Das Konzept Smarter Region hat drei strategische Ziele.",
        "Die Arbeitsgruppe traf sich am {d}. Mai {y} in Liberec.",
    ],
    "pl": [
        "Kraj liberecki wspiera współpracę gmin na Trójstyku.",
        "Program dotacyjny {n} jest przeznaczony dla gmin i organizacji pozarządowych.",
        "Wniosek należy złożyć do {d} czerwca {y} na adres podatelna@kraj-lbc.cz.",
        "Łączna kwota wsparcia wynosi {a} Kč.",
        "Więcej informacji na stronie https://www.kraj-lbc.cz/dotace.",
        "Urząd odpowiada na pytania obywateli w dni robocze.",
        "Euroregion Nysa łączy czeskie, niemieckie i polskie regiony.",
        "Platforma Lipo.ink pomaga młodym przedsiębiorcom.",
        "Koncepcja Mądrzejszy region ma trzy cele strategiczne.",
        "Grupa robocza spotkała się {d} maja {y} w Libercu.",
    ],
}


def training_lines(glossary_path: Path = DEFAULT_GLOSSARY_PATH) -> list[str]:
    """A few hundred lines of project text: the glossary forms plus template sentences in cs/de/pl."""
    lines: list[str] = []
    glossary = yaml.safe_load(glossary_path.read_text(encoding="utf-8"))
    for entry in glossary["terms"]:
        for forms in entry.values():
            lines.extend(str(form) for form in forms)
    fillers = itertools.product(["2.6", "1.2", "4.1"], ["3", "15", "28"], ["2024", "2025", "2026"])
    amounts = itertools.cycle(["690 230", "1 500 000", "25 000", "120 400"])
    for programme, day, year in fillers:
        for templates in _PROJECT_SENTENCES.values():
            for template in templates:
                lines.append(template.format(n=programme, d=day, y=year, a=next(amounts)))
    # Placeholder-like strings and digits, so the vocabulary can spell what the protector inserts.
    lines.extend(f"ZQX{index} 0123456789 , . : ; ! ? ( ) / - @ %" for index in range(20))
    return lines


@dataclass(frozen=True)
class TinyMarianShape:
    """Architecture of a generated model. The default is tiny (fast tests)."""

    d_model: int = 32
    encoder_layers: int = 2
    decoder_layers: int = 2
    attention_heads: int = 2
    ffn_dim: int = 64
    # Total vocabulary: filler tokens pad the trained sentencepiece vocabulary up to it (0: no filler).
    vocab_size: int = 0
    max_position_embeddings: int = 256
    # Standard deviation of the random projection matrices. With transformers' default (0.02) the decoder
    # ignores the source and emits the same tokens for every input, which would let "batched equals
    # unbatched" pass vacuously; 0.2 makes the output depend on the input while staying well-conditioned
    # enough that transformers and CTranslate2 (float32) pick the same tokens. None keeps the default init.
    weight_std: float | None = 0.2
    # Standard deviation of the (tied) token embeddings: the larger, the wider the gaps between logits.
    embedding_std: float = 2.0


# The architecture of Helsinki-NLP/opus-mt-cs-de (its config.json): used by the benchmark.
OPUS_MT_CS_DE_SHAPE = TinyMarianShape(
    d_model=512,
    encoder_layers=6,
    decoder_layers=6,
    attention_heads=8,
    ffn_dim=2048,
    vocab_size=58101,
    max_position_embeddings=512,
    weight_std=None,  # speed does not depend on the values
)


def _train_sentencepiece(lines: list[str], model_path: Path, vocab_size: int) -> None:
    import sentencepiece as spm

    model_buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model_buffer,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,  # the text is small; take what it yields
        unk_id=1,
        bos_id=-1,
        eos_id=0,
        pad_id=-1,
        minloglevel=2,
    )
    model_path.write_bytes(model_buffer.getvalue())


def build_tiny_marian(output_dir: Path, shape: TinyMarianShape = TinyMarianShape(), seed: int = 0) -> Path:
    """Write a MarianMTModel with random weights and MarianTokenizer files into `output_dir`."""
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    output_dir.mkdir(parents=True, exist_ok=True)
    spm_path = output_dir / "source.spm"
    _train_sentencepiece(training_lines(), spm_path, vocab_size=400)
    (output_dir / "target.spm").write_bytes(spm_path.read_bytes())

    processor = spm.SentencePieceProcessor(model_file=str(spm_path))
    vocabulary: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece_id in range(processor.get_piece_size()):
        piece = processor.id_to_piece(piece_id)
        if piece not in vocabulary:
            vocabulary[piece] = len(vocabulary)
    for token in LANGUAGE_TOKENS:
        vocabulary[token] = len(vocabulary)
    # Real OPUS-MT vocabularies are large; filler tokens give the embedding and output layer their real size.
    filler_index = 0
    while len(vocabulary) < shape.vocab_size - 1:
        vocabulary[f"▁filler{filler_index}"] = len(vocabulary)
        filler_index += 1
    vocabulary["<pad>"] = len(vocabulary)
    (output_dir / "vocab.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")

    pad_id = vocabulary["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocabulary),
        decoder_vocab_size=len(vocabulary),
        d_model=shape.d_model,
        encoder_layers=shape.encoder_layers,
        decoder_layers=shape.decoder_layers,
        encoder_attention_heads=shape.attention_heads,
        decoder_attention_heads=shape.attention_heads,
        encoder_ffn_dim=shape.ffn_dim,
        decoder_ffn_dim=shape.ffn_dim,
        max_position_embeddings=shape.max_position_embeddings,
        pad_token_id=pad_id,
        eos_token_id=0,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=0,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        activation_function="swish",
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    # Larger random output weights spread the logits, so that greedy decoding has no near-ties and
    # batched and unbatched runs pick the same tokens.
    with torch.no_grad():
        if shape.weight_std is not None:
            for name, parameter in model.named_parameters():
                if parameter.dim() == 2 and "embed" not in name and "lm_head" not in name:
                    parameter.normal_(0.0, shape.weight_std)
        model.get_input_embeddings().weight.normal_(0.0, shape.embedding_std)
        output_embeddings = model.get_output_embeddings()
        if (
            output_embeddings is not None
            and output_embeddings.weight is not model.get_input_embeddings().weight
        ):
            output_embeddings.weight.normal_(0.0, shape.embedding_std)
        # <pad> is the decoder start token; as in every published OPUS-MT model its embedding is zero, which
        # CTranslate2's converter relies on ("start_from_zero_embedding"). A random row there would make
        # the two backends decode differently.
        model.get_input_embeddings().weight[pad_id].zero_()
    # As in the published OPUS-MT configs: never generate <pad> (it is also the decoder start token).
    model.generation_config.bad_words_ids = [[pad_id]]
    model.eval()
    model.save_pretrained(output_dir)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        tokenizer = MarianTokenizer(
            source_spm=str(spm_path),
            target_spm=str(output_dir / "target.spm"),
            vocab=str(output_dir / "vocab.json"),
            separate_vocabs=False,
            model_max_length=shape.max_position_embeddings,
        )
    tokenizer.save_pretrained(output_dir)
    return output_dir
