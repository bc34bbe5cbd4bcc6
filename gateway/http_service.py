"""One place that turns httpx failures into the gateway's ServiceError tree."""

from typing import Any

import httpx

from gateway.service_errors import ServiceBadResponse, ServiceUnavailable


def _error_reason(response: httpx.Response) -> str:
    """The most useful short text of an error response: its `error`/`detail`/`message` field or its body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("error", "detail", "message"):
            if body.get(key):
                return str(body[key])[:300]
    return str(body)[:300]


async def request_json(client: httpx.AsyncClient, service: str, method: str, url: str, **kwargs: Any) -> Any:
    """Send a request and return the decoded JSON body.

    Raises ServiceUnavailable when the service cannot be reached (or answers 503, its own way of saying it is
    not ready) and ServiceBadResponse for any other error status or a body that is not JSON.
    """
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.TimeoutException as error:
        raise ServiceUnavailable(service, f"timed out ({type(error).__name__})") from error
    except httpx.TransportError as error:
        raise ServiceUnavailable(service, f"cannot connect ({type(error).__name__}: {error})") from error
    if response.status_code == 503:
        raise ServiceUnavailable(service, f"not ready: {_error_reason(response)}")
    if response.is_error:
        raise ServiceBadResponse(
            service, f"HTTP {response.status_code}: {_error_reason(response)}", response.status_code
        )
    try:
        return response.json()
    except ValueError as error:
        raise ServiceBadResponse(service, "the response body is not JSON", response.status_code) from error


async def is_reachable(client: httpx.AsyncClient, url: str, timeout_s: float) -> bool:
    """True when GET url answers with a success status within the timeout."""
    try:
        response = await client.get(url, timeout=timeout_s)
    except httpx.HTTPError:
        return False
    return response.is_success
