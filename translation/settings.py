"""The one configuration object of the translation service (environment variables TRANSLATION_*)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from translation.glossary import DEFAULT_GLOSSARY_PATH


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRANSLATION_", extra="ignore")

    models_dir: Path = Path("var/models/translation")
    max_chars: int = Field(5000, gt=0, description="longest accepted text (all items of q together)")
    # ct2 is used wherever a converted model exists; a direction with only transformers files falls back.
    backend: Literal["ct2", "transformers"] = "ct2"
    batch_max_size: int = Field(16, ge=1, description="sentences per model call; 1 turns micro-batching off")
    batch_max_wait_ms: float = Field(5.0, ge=0, description="how long a batch waits for more sentences")
    batch_max_queued: int = Field(
        512, ge=1, description="sentences waiting per direction; beyond it requests get 503 + Retry-After"
    )
    cache_size: int = Field(10000, ge=0, description="translated sentences kept in the LRU cache")
    max_loaded_models: int = Field(3, ge=1, description="models held in memory at once (LRU)")
    beam_size: int = Field(4, ge=1)
    max_output_tokens: int = Field(256, ge=1)
    threads: int = Field(
        0, ge=0, description="cores a model uses (CTranslate2: replicas of one thread each); 0: all cores"
    )
    # Off until `python -m translation vmap-check` has compared restricted and full output with the real
    # models and the comparison is recorded in the manifest (issue 14); a model without vmap.txt ignores it.
    use_vmap: bool = False
    device: Literal["cpu", "cuda"] = "cpu"
    glossary_path: Path = DEFAULT_GLOSSARY_PATH
    # Bounded work (issues 11 and 14). Bodies are cut off while they stream in (gateway/body_limit.py):
    # 5,000 characters are at most 60 KB of JSON even as \uXXXX\uXXXX escapes, HTML markup included.
    max_body_bytes: int = Field(256 * 1024, gt=0, description="largest request body, on every route")
    max_items: int = Field(128, ge=1, description="most texts in one q list")
    # /translate and /detect per client address, in the `limits` package's notation ("" turns it off).
    # Every caller of this internal service (gateway, rooms, actions, benchmarks) comes from 127.0.0.1,
    # so the default only stops a runaway loop (50 a second for a minute), not a burst of clients.
    rate_limit: str = "3000/minute"


def get_settings() -> Settings:
    return Settings()
