"""Two inference backends over the same MarianTokenizer: transformers (reference) and CTranslate2."""

from __future__ import annotations

import copy
import math
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from translation.cpu import cpu_cores


@dataclass(frozen=True)
class DecodingOptions:
    beam_size: int = 4
    max_output_tokens: int = 256
    # Forces exactly this many output tokens when set (benchmarks: a fixed amount of work per sentence).
    fixed_output_tokens: int | None = None
    # Cores a model uses; 0: all of them (translation.cpu.cpu_cores). CTranslate2 runs that many replicas
    # of one thread each, transformers that many intra-op threads.
    threads: int = 0
    device: str = "cpu"
    # CTranslate2 only. None: what the install measured fastest (the manifest's compute_type), else int8 on
    # CPU and int8_float16 on GPU; "float32" runs the converted model unquantised (tests compare it with
    # transformers token by token).
    ct2_compute_type: str | None = None
    # CTranslate2 only: restrict the output vocabulary to the model's vmap.txt (translation/vmap.py).
    use_vmap: bool = False


class TranslationBackend(Protocol):
    name: str

    def translate_batch(self, sentences: list[str]) -> list[str]: ...


def _load_tokenizer(hf_dir: Path):  # -> MarianTokenizer (import kept lazy: transformers is slow to import)
    from transformers import MarianTokenizer

    with warnings.catch_warnings():
        # sacremoses only matters for the source normaliser of a few old models; ours use sentencepiece.
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        return MarianTokenizer.from_pretrained(str(hf_dir))


def _with_target_token(sentences: list[str], target_token: str | None) -> list[str]:
    return [f"{target_token} {sentence}" if target_token else sentence for sentence in sentences]


class TransformersBackend:
    """MarianMTModel in PyTorch fp32: the reference implementation."""

    name = "transformers"

    def __init__(self, hf_dir: Path, target_token: str | None, options: DecodingOptions) -> None:
        import torch
        from transformers import MarianMTModel

        self._torch = torch
        self.tokenizer = _load_tokenizer(hf_dir)
        self.model = MarianMTModel.from_pretrained(str(hf_dir)).eval().to(options.device)
        self.target_token = target_token
        self.options = options
        torch.set_num_threads(options.threads or cpu_cores())
        self._generation_config = self._make_generation_config(options)
        # generate() is not safe to run concurrently on one model; callers normally serialise anyway.
        self._lock = threading.Lock()

    def _make_generation_config(self, options: DecodingOptions):  # -> GenerationConfig
        # OPUS-MT configs force </s> as the last token when the length limit is hit; CTranslate2 does not,
        # and the two backends must produce the same tokens for the same limit. generate() fills unset
        # (None) values from the model's own generation config, so the default is switched off there.
        self.model.generation_config.forced_eos_token_id = None
        config = copy.deepcopy(self.model.generation_config)
        config.num_beams = options.beam_size
        config.do_sample = False
        config.bad_words_ids = [[self.tokenizer.pad_token_id]]  # <pad> is the start token, never an output
        config.max_length = None
        config.max_new_tokens = options.fixed_output_tokens or options.max_output_tokens
        config.min_new_tokens = options.fixed_output_tokens
        return config

    def encode(self, sentences: list[str]):  # -> BatchEncoding (padded tensors)
        return self.tokenizer(
            _with_target_token(sentences, self.target_token),
            return_tensors="pt",
            padding=True,
            truncation=True,
        ).to(self.options.device)

    def translate_batch(self, sentences: list[str]) -> list[str]:
        if not sentences:
            return []
        encoded = self.encode(sentences)
        with self._lock, self._torch.inference_mode():
            generated = self.model.generate(**encoded, generation_config=self._generation_config)
        return self.tokenizer.batch_decode(generated, skip_special_tokens=True)


class CTranslate2Backend:
    """The converted model in CTranslate2: the default, several times faster on CPU.

    One replica per core, each on one thread (inter_threads = cores, intra_threads = 1): on 2 AVX2 cores
    without VNNI, int8 on two intra threads thrashes inside oneDNN (83k context switches for 16 sentences
    against 168 on one thread, issue 14) and a single sentence gets slower, not faster. A batch is split
    across the replicas, so a batch of n runs as num_translators sub-batches side by side.
    """

    name = "ct2"

    def __init__(
        self,
        hf_dir: Path,
        ct2_dir: Path,
        target_token: str | None,
        options: DecodingOptions,
        compute_type: str | None = None,
    ) -> None:
        import ctranslate2

        self.tokenizer = _load_tokenizer(hf_dir)
        default_type = "int8" if options.device == "cpu" else "int8_float16"
        self.compute_type = options.ct2_compute_type or compute_type or default_type
        self.translator = ctranslate2.Translator(
            str(ct2_dir),
            device=options.device,
            compute_type=self.compute_type,
            inter_threads=(options.threads or cpu_cores()) if options.device == "cpu" else 1,
            intra_threads=1,
        )
        self.target_token = target_token
        self.options = options
        self.use_vmap = options.use_vmap and (ct2_dir / "vmap.txt").is_file()

    @property
    def replicas(self) -> int:
        return int(self.translator.num_translators)

    def source_tokens(self, sentences: list[str]) -> list[list[str]]:
        """What the model reads: the same MarianTokenizer pieces (and </s>) that transformers gets."""
        return [
            self.tokenizer.convert_ids_to_tokens(self.tokenizer.encode(sentence, truncation=True))
            for sentence in _with_target_token(sentences, self.target_token)
        ]

    def translate_tokens(self, source_tokens: list[list[str]]) -> list[list[str]]:
        options = self.options
        length_arguments: dict[str, int] = {"max_decoding_length": options.max_output_tokens}
        if options.fixed_output_tokens:
            length_arguments = {
                "max_decoding_length": options.fixed_output_tokens,
                "min_decoding_length": options.fixed_output_tokens,
            }
        results = self.translator.translate_batch(
            source_tokens,
            beam_size=options.beam_size,
            # Every replica gets a share: CTranslate2 runs the sub-batches on its replicas in parallel.
            max_batch_size=math.ceil(len(source_tokens) / self.replicas),
            use_vmap=self.use_vmap,
            **length_arguments,
        )
        return [result.hypotheses[0] for result in results]

    def translate_batch(self, sentences: list[str]) -> list[str]:
        if not sentences:
            return []
        return [
            self.tokenizer.decode(self.tokenizer.convert_tokens_to_ids(tokens), skip_special_tokens=True)
            for tokens in self.translate_tokens(self.source_tokens(sentences))
        ]
