"""Office sessions: a signed cookie (itsdangerous) naming the official, with the session's CSRF token.

The cookie holds ``{"user": name | None, "csrf": token}``, signed and timestamped; it is HttpOnly,
SameSite=Strict and limited to /office, so no page of another site can send it along, and a script cannot
read it. Every POST must carry the session's CSRF token besides (form field ``csrf_token`` or header
``X-CSRF-Token``): a second line of defence that does not depend on the browser's SameSite handling. The
sign-in form has a token too (a session without a user), so nobody can sign a visitor in under the
attacker's account.
"""

import hmac
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gateway.dependencies import rate_limited
from gateway.office.errors import CsrfError
from gateway.rate_limit import RateLimiter
from gateway.settings import get_settings

COOKIE_NAME = "lk_office"
COOKIE_PATH = "/office"
SIGN_IN_PATH = "/office/sign-in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass
class OfficeSession:
    user: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # Whether the cookie must be (re)written with this response.
    changed: bool = False

    def check_csrf(self, sent: str | None) -> None:
        if not sent or not hmac.compare_digest(sent.encode(), self.csrf.encode()):
            raise CsrfError("the form's CSRF token is missing or not this session's; reload the page")


class SessionCookies:
    def __init__(self, secret: str, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="office-session")
        self.max_age_s = max_age_s

    def read(self, request: Request) -> OfficeSession:
        raw = request.cookies.get(COOKIE_NAME)
        if raw:
            try:
                data: Any = self._serializer.loads(raw, max_age=self.max_age_s)
            except BadSignature:  # also SignatureExpired: sign in again
                data = None
            if isinstance(data, dict) and isinstance(data.get("csrf"), str):
                user = data.get("user")
                return OfficeSession(user=user if isinstance(user, str) else None, csrf=data["csrf"])
        return OfficeSession(changed=True)

    def write(self, response: Response, session: OfficeSession, secure: bool) -> None:
        response.set_cookie(
            COOKIE_NAME,
            self._serializer.dumps({"user": session.user, "csrf": session.csrf}),
            max_age=self.max_age_s,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=secure,
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="strict")


@lru_cache
def get_session_cookies() -> SessionCookies:
    """One signer per process; its key is OFFICE_SESSION_SECRET, or random (sessions end with the process)."""
    settings = get_settings()
    return SessionCookies(
        settings.office_session_secret or secrets.token_urlsafe(32), settings.office_session_max_age_s
    )


SessionCookiesDep = Annotated[SessionCookies, Depends(get_session_cookies)]


def get_office_session(request: Request, cookies: SessionCookiesDep) -> OfficeSession:
    # Kept on the request: the route and the response hook see the same session.
    session = getattr(request.state, "office_session", None)
    if session is None:
        session = cookies.read(request)
        request.state.office_session = session
    return session


OfficeSessionDep = Annotated[OfficeSession, Depends(get_office_session)]


def signed_in_page(session: OfficeSessionDep) -> str:
    """The official of a page request; a visitor without a session is sent to the sign-in page."""
    if session.user is None:
        raise HTTPException(status_code=303, detail="sign in first", headers={"Location": SIGN_IN_PATH})
    return session.user


def signed_in_api(session: OfficeSessionDep) -> str:
    """The official of a data request (the live list's JSON, a POST); 401 without a session."""
    if session.user is None:
        raise HTTPException(status_code=401, detail=f"office staff only: sign in at {SIGN_IN_PATH}")
    return session.user


async def csrf_checked(request: Request, session: OfficeSessionDep) -> None:
    """Every state-changing request of the office carries the session's CSRF token."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    try:
        session.check_csrf(sent)
    except CsrfError as error:
        raise HTTPException(status_code=403, detail=str(error)) from error


def is_https(request: Request) -> bool:
    # Behind a TLS-terminating proxy the request reaches uvicorn as http; the proxy says so in its header
    # (uvicorn's --proxy-headers turns X-Forwarded-Proto into the scheme).
    return request.url.scheme == "https"


@lru_cache
def get_sign_in_limiter() -> RateLimiter:
    settings = get_settings()
    return RateLimiter(settings.office_sign_in_rate, settings.redis_url, namespace="office-sign-in")


SignInRateLimited = Depends(rate_limited(get_sign_in_limiter, "too many sign-in attempts from this address"))
OfficialPage = Annotated[str, Depends(signed_in_page)]
OfficialApi = Annotated[str, Depends(signed_in_api)]
CsrfChecked = Depends(csrf_checked)
