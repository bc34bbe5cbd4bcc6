"""Exceptions raised by the HTTP clients of the backing services (Rasa, translation).

ServiceError
├── ServiceUnavailable   the service cannot be reached or timed out (the API answers 503)
└── ServiceBadResponse   it answered, but with an error status or a body we cannot use (the API answers 502)
"""


class ServiceError(Exception):
    """A backing service failed; `service` names it for logs and error messages."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


class ServiceUnavailable(ServiceError):
    """Connection refused, DNS failure or timeout."""


class ServiceBadResponse(ServiceError):
    """An HTTP error status or a malformed body."""

    def __init__(self, service: str, reason: str, status_code: int | None = None) -> None:
        super().__init__(service, reason)
        self.status_code = status_code
