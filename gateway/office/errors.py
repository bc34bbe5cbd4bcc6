"""The office package's exceptions: one tree, each with a message people can read.

OfficeError
├── AccountError        an account cannot be created, changed or found (the CLI prints the message)
└── CsrfError           a form or request without the session's CSRF token (403)
"""


class OfficeError(Exception):
    """Something the office side refuses; str(error) says why."""


class AccountError(OfficeError):
    pass


class CsrfError(OfficeError):
    pass
