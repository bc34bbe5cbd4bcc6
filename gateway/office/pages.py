"""The office's HTML pages (/office): sign-in, the handed-over conversations, what the documents miss.

Every page and form needs a signed-in official (gateway/office/auth.py); every POST the session's CSRF token.
A form's outcome is shown after a redirect (POST, redirect, GET), so reloading never posts twice.
"""

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gateway.handovers import HandoverStateError
from gateway.office import views
from gateway.office.auth import (
    CsrfChecked,
    OfficeSession,
    OfficeSessionDep,
    OfficialPage,
    SessionCookiesDep,
    SignInRateLimited,
    is_https,
)
from gateway.office.dependencies import OfficeDep, TelegramBotDep
from gateway.office.missed import as_csv, summary
from gateway.schemas import MAX_MESSAGE_CHARS

router = APIRouter(prefix="/office", include_in_schema=False)

WEEK_PATTERN = r"^(\d{4}-W\d{2})?$"
LANGUAGE_PATTERN = r"^(cs|de|pl)?$"


@dataclass(frozen=True)
class MissedFilter:
    """Which questions the documents miss to show: one ISO week and/or one language ("" is all)."""

    week: str = ""
    language: str = ""


def missed_filter(
    week: Annotated[str, Query(pattern=WEEK_PATTERN, description="An ISO week, e.g. 2026-W49")] = "",
    language: Annotated[str, Query(pattern=LANGUAGE_PATTERN)] = "",
) -> MissedFilter:
    if week:
        try:
            date.fromisoformat(f"{week}-1")
        except ValueError as error:  # 2026-W00, 2025-W53: the pattern cannot tell
            raise HTTPException(status_code=422, detail=f"week: {week} is no ISO week") from error
    return MissedFilter(week, language)


MissedFilterDep = Annotated[MissedFilter, Depends(missed_filter)]


def render(
    request: Request,
    cookies: SessionCookiesDep,
    session: OfficeSession,
    template: str,
    status: int = 200,
    **context: object,
) -> HTMLResponse:
    response = views.TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "official": session.user,
            "csrf_token": session.csrf,
            "notices": request.query_params.getlist("notice"),
            "statuses": views.STATUSES,
            "authors": views.AUTHORS,
            "kinds": views.KINDS,
            **context,
        },
        status_code=status,
        headers=views.OFFICE_HEADERS,
    )
    if session.changed:
        cookies.write(response, session, is_https(request))
    return response


def redirect(path: str, notices: list[str] | None = None) -> RedirectResponse:
    query = urlencode([("notice", notice) for notice in notices or []])
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


@router.get("")
async def office_home() -> RedirectResponse:
    return redirect("/office/handovers")


@router.get("/sign-in")
async def sign_in_page(request: Request, cookies: SessionCookiesDep, session: OfficeSessionDep) -> Response:
    if session.user is not None:
        return redirect("/office/handovers")
    return render(request, cookies, session, "sign_in.html", error="", name="")


@router.post("/sign-in", dependencies=[SignInRateLimited, CsrfChecked])
async def sign_in(
    request: Request,
    cookies: SessionCookiesDep,
    session: OfficeSessionDep,
    office: OfficeDep,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    # argon2 takes tens of milliseconds of CPU by design: off the event loop.
    if not await asyncio.to_thread(office.accounts.verify, name.strip(), password):
        return render(
            request,
            cookies,
            session,
            "sign_in.html",
            status=401,
            error="Jméno nebo heslo nesouhlasí.",
            name=name,
        )
    # A new session (and CSRF token) on sign-in: a token seen before signing in is worth nothing after.
    signed_in = OfficeSession(user=name.strip())
    response = redirect("/office/handovers")
    cookies.write(response, signed_in, is_https(request))
    return response


@router.post("/sign-out", dependencies=[CsrfChecked])
async def sign_out(cookies: SessionCookiesDep) -> Response:
    response = redirect("/office/sign-in")
    cookies.clear(response)
    return response


@router.get("/handovers")
async def handover_list(
    request: Request,
    cookies: SessionCookiesDep,
    session: OfficeSessionDep,
    official: OfficialPage,
    office: OfficeDep,
    closed: Annotated[bool, Query()] = False,
) -> Response:
    rows = await asyncio.to_thread(office.handovers.listing, closed)
    return render(
        request,
        cookies,
        session,
        "handovers.html",
        handovers=[views.handover_row(row) for row in rows],
        include_closed=closed,
    )


@router.get("/handovers/{handover_id}")
async def handover_page(
    request: Request,
    cookies: SessionCookiesDep,
    session: OfficeSessionDep,
    official: OfficialPage,
    office: OfficeDep,
    handover_id: views.HandoverId,
) -> Response:
    handover = await asyncio.to_thread(office.handovers.get, handover_id)
    if handover is None:
        raise HTTPException(status_code=404, detail=f"there is no handover {handover_id}")
    thread = await asyncio.to_thread(office.handovers.messages, handover_id)
    if handover["contact_deleted_at"]:
        # The tracker holds the contact too (the handover form's answer): past the retention, not shown.
        transcript, problem = [], "po uplynutí doby uchování se záznam s kontaktem nezobrazuje"
    else:
        transcript, problem = await office.desk.transcript(str(handover["sender"]))
    return render(
        request,
        cookies,
        session,
        "handover.html",
        handover=views.handover_row(handover),
        thread=thread,
        transcript=transcript,
        transcript_problem=problem,
        mine=handover["status"] in ("claimed", "answered") and handover["claimed_by"] == official,
    )


async def _act(handover_id: int, action: Awaitable[list[str]]) -> RedirectResponse:
    try:
        problems = await action
    except HandoverStateError as error:
        problems = [str(error)]
    return redirect(f"/office/handovers/{handover_id}", problems)


@router.post("/handovers/{handover_id}/claim", dependencies=[CsrfChecked])
async def claim(
    handover_id: views.HandoverId, official: OfficialPage, office: OfficeDep, bot: TelegramBotDep
) -> Response:
    return await _act(handover_id, office.desk.claim(handover_id, official, bot))


@router.post("/handovers/{handover_id}/answer", dependencies=[CsrfChecked])
async def answer(
    handover_id: views.HandoverId,
    official: OfficialPage,
    office: OfficeDep,
    bot: TelegramBotDep,
    text: Annotated[str, Form(min_length=1, max_length=MAX_MESSAGE_CHARS)],
) -> Response:
    if not text.strip():
        return redirect(f"/office/handovers/{handover_id}", ["Odpověď je prázdná."])
    return await _act(handover_id, office.desk.answer(handover_id, official, text.strip(), bot))


@router.post("/handovers/{handover_id}/close", dependencies=[CsrfChecked])
async def close(
    handover_id: views.HandoverId, official: OfficialPage, office: OfficeDep, bot: TelegramBotDep
) -> Response:
    return await _act(handover_id, office.desk.close(handover_id, official, bot))


@router.get("/missed")
async def missed_page(
    request: Request,
    cookies: SessionCookiesDep,
    session: OfficeSessionDep,
    official: OfficialPage,
    office: OfficeDep,
    chosen: MissedFilterDep,
) -> Response:
    # e5 embeds the questions not seen before (once each): in a worker thread.
    groups = await asyncio.to_thread(office.missed.groups, chosen.week, chosen.language)
    counts = summary(question for group in groups for question in group.questions)
    return render(
        request,
        cookies,
        session,
        "missed.html",
        groups=groups,
        summary=counts,
        summary_weeks=sorted({key[0] for key in counts}, reverse=True),
        weeks=await asyncio.to_thread(office.missed.weeks),
        week=chosen.week,
        language=chosen.language,
    )


@router.get("/missed.csv")
async def missed_csv(
    official: OfficialPage,
    office: OfficeDep,
    chosen: MissedFilterDep,
) -> Response:
    groups = await asyncio.to_thread(office.missed.groups, chosen.week, chosen.language)
    name = "-".join(part for part in ("missed-questions", chosen.week, chosen.language) if part)
    return Response(
        as_csv(groups),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"},
    )
