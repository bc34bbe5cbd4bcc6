"""Office endpoints (`GET /api/handovers`) behind a bearer token until the office sign-in exists (issue 11).

`OFFICE_API_TOKEN` is the one credential. Without it configured the endpoints answer 403 "office access is
not configured": residents' questions and contacts are never served to whoever reaches the gateway.
"""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway.settings import Settings, get_settings

NOT_CONFIGURED = "office access is not configured"

# auto_error=False: a missing header is answered here, with the gateway's reason and a WWW-Authenticate.
_bearer = HTTPBearer(auto_error=False, description="OFFICE_API_TOKEN of the gateway")


def require_office_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> None:
    expected = settings.office_api_token
    if not expected:
        raise HTTPException(status_code=403, detail=NOT_CONFIGURED)
    provided = credentials.credentials if credentials is not None else ""
    # Constant time, on bytes (compare_digest refuses non-ASCII str), so the answer's timing tells
    # nothing about how much of a guess was right.
    if not provided or not hmac.compare_digest(provided.encode(), expected.encode()):
        raise HTTPException(
            status_code=401,
            detail="office access needs `Authorization: Bearer <OFFICE_API_TOKEN>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
