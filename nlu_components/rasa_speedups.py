"""Rasa 3.6 checks the same two JSON schemas against the meta-schema for every message: a third of its CPU.

`jsonschema.validate(instance, schema)` first checks that `schema` itself is a valid schema (`check_schema`,
a walk of the draft 2020-12 meta-schema), then builds a validator and validates `instance`. Rasa calls it with
the events schema for every `POST /conversations/{id}/tracker/events` (the gateway sets the language slot
before every message) and with the action-response schema for every reply of the action server. The schemas
never change, so checking them again is pure waste: py-spy of the Rasa server under the chat benchmark (16
clients, 2 cores) put 35% of its CPU in `check_schema` (reports/perf/README.md).

`install()` (run when Rasa imports this package to load the pipeline, i.e. in Rasa's processes only) makes
`jsonschema.validate` check a schema object once and keep its validator; every instance is still validated in
full and an invalid one raises the same error as before (`best_match` of the same validator's errors). The
action-response schema, which Rasa builds anew for every call, is built once. Nothing else changes.
"""

from __future__ import annotations

import functools
import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)

_installed = False
_lock = threading.Lock()
# id(schema) -> (schema, validator); the schema is kept so that its id is not reused by another object.
_validators: dict[int, tuple[Any, Any]] = {}
_MAX_SCHEMAS = 64  # Rasa validates with a handful of constant schemas; anything beyond is not cached


def _validator_for(schema: Any) -> Any | None:
    import jsonschema

    cached = _validators.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    if not isinstance(schema, dict) or len(_validators) >= _MAX_SCHEMAS:
        return None
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # raises SchemaError as jsonschema.validate does; nothing is cached then
    validator = cls(schema)
    with _lock:
        _validators[id(schema)] = (schema, validator)
    return validator


def install() -> None:
    """Make `jsonschema.validate` check each (constant) schema once; idempotent."""
    global _installed
    if _installed:
        return
    try:
        import jsonschema
        from jsonschema import exceptions
        from rasa.core.actions.action import RemoteAction
    except ImportError:  # not inside Rasa: nothing to speed up
        return
    original_validate = jsonschema.validate

    @functools.wraps(original_validate)
    def validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
        if cls is not None or args or kwargs:
            return original_validate(instance, schema, cls, *args, **kwargs)
        validator = _validator_for(schema)
        if validator is None:
            return original_validate(instance, schema)
        error = exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        return None

    jsonschema.validate = validate
    # The same dict every time (it wraps the constant EVENTS_SCHEMA), so that its validator is found again.
    RemoteAction.action_response_format_spec = staticmethod(
        functools.lru_cache(maxsize=1)(RemoteAction.action_response_format_spec)
    )
    _installed = True
    logger.debug("jsonschema.validate checks each schema once")
