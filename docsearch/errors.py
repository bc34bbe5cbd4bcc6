"""The one exception tree of docsearch: callers catch `DocsearchError` and show its message."""

from __future__ import annotations


class DocsearchError(Exception):
    """Base of every error docsearch raises on purpose; the message says what went wrong and what to do."""


class IndexUnavailable(DocsearchError):
    """The index file is missing, unreadable or of another schema."""


class ReadError(DocsearchError):
    """A source file cannot be read or holds no text; the message names the file."""
