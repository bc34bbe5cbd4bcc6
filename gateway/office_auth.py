"""Office endpoints (`GET /api/handovers`) behind a bearer token until the office sign-in exists (issue 11).

`OFFICE_API_TOKEN` is the one credential. Without it configured every request is refused with "office access
is not configured" (403; 401 when the request carries no credentials at all): residents' questions and
contacts are never served to whoever reaches the gateway.
"""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.settings import Settings, get_settings

NOT_CONFIGURED = "office access is not configured"

# auto_error=False: a missing header is answered here, with the gateway's reason and a WWW-Authenticate.
_bearer = HTTPBearer(auto_error=False, description="OFFICE_API_TOKEN of the gateway")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def require_office_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> None:
    expected = settings.office_api_token
    if credentials is None or not credentials.credentials:
        # A request without credentials is 401 whatever the configuration (RFC 9110 15.5.2; the schema
        # declares the bearer scheme, and schemathesis checks that a missing Authorization gets 401).
        raise _unauthorized(
            NOT_CONFIGURED
            if not expected
            else "office access needs `Authorization: Bearer <OFFICE_API_TOKEN>`"
        )
    if not expected:
        # No token configured: no credentials can be right; the endpoint is closed, never open.
        raise HTTPException(status_code=403, detail=NOT_CONFIGURED)
    # Constant time, on bytes (compare_digest refuses non-ASCII str), so the answer's timing tells
    # nothing about how much of a guess was right.
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise _unauthorized("the office token is not right (`Authorization: Bearer <OFFICE_API_TOKEN>`)")
