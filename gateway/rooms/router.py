"""HTTP and WebSocket endpoints of the translated conversation rooms, and their pages.

Pages: `/rooms/new` (create a room), `/rooms/{id}` (the room). API: `POST /api/rooms`, `GET /api/rooms/{id}`,
`GET /api/rooms/{id}/messages?lang=`, `POST /api/rooms/{id}/messages`. Live: WebSocket `/rooms/{id}/ws`.

WebSocket protocol (JSON text frames). Client → server: `{"type": "join", "name", "lang", "after"?}` first
(`after`: the newest message id the client has, when reconnecting), then `{"type": "message", "text",
"client_id"?}` or `{"type": "ping"}`. Server → client: `joined`, `history` (`messages`, and `complete`: false
when more than a thousand messages were missed; fetch the rest with `GET .../messages?after=`), `ack`
(`client_id`, `message`: sent once the message is stored; a resend with the same client id gets the same
message back and is not delivered twice), `message` and `update` (`message`: a RenderedMessage; the client
replaces a message by its id), `presence` (`participants`), `pong`, and `error` (`code`, `detail`, and
`client_id` for a refused message).

Close codes: 4404 unknown room (after the error), 4400 no join in time, 1003 a binary frame, 1009 a frame over
`rooms_max_frame_bytes`, 1013 a reader too far behind (reconnect with `after`), 1001 server shutting down. A
handshake from a foreign `Origin` is refused with HTTP 403 (gateway/rooms/guards.py says which are allowed).
"""

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    HTTPException,
    Query,
    Request,
    Response,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi import (
    Path as PathParam,
)
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import ValidationError
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocketState

from gateway.rate_limit import client_key
from gateway.rooms.guards import BodyLimitedRoute, origin_allowed
from gateway.rooms.hub import DISCONNECTED, Connection
from gateway.rooms.schemas import (
    ROOM_ID_PATTERN,
    JoinRequest,
    MessageHistory,
    MessagePost,
    MessageText,
    RenderedMessage,
    RoomCreate,
    RoomInfo,
    RoomLanguage,
)
from gateway.rooms.service import RoomService, render_message
from gateway.rooms.store import Room
from gateway.routers.page import CHAT_PAGE_HEADERS
from gateway.schemas import ErrorReply

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "rooms"
# The only files the room pages load; served by name so no path from the URL ever reaches the file system.
_ASSETS = {
    "room.css": "text/css",
    "room_i18n.js": "text/javascript",
    "room.js": "text/javascript",
    "new.js": "text/javascript",
}
# A participant has this long to say who they are after connecting.
JOIN_TIMEOUT_S = 60.0
WS_CLOSE_UNKNOWN_ROOM = 4404
WS_CLOSE_BAD_JOIN = 4400
WS_CLOSE_UNSUPPORTED = 1003
WS_CLOSE_TOO_BIG = 1009
WS_CLOSE_POLICY = 1008

log = logging.getLogger(__name__)
# Every route here reads at most `rooms_max_body_bytes` of a request body.
router = APIRouter(tags=["rooms"], route_class=BodyLimitedRoute)
_TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorReply, "description": "The request body is over `rooms_max_body_bytes`"}
}


def get_room_service(connection: HTTPConnection) -> RoomService:
    """The RoomService the lifespan put on app.state (HTTPConnection: works for HTTP and WebSocket routes)."""
    service = getattr(connection.app.state, "room_service", None)
    if service is None:
        raise HTTPException(status_code=503, detail="conversation rooms are not running")
    return service


RoomServiceDep = Annotated[RoomService, Depends(get_room_service)]
RoomId = Annotated[str, PathParam(pattern=ROOM_ID_PATTERN, description="the id from POST /api/rooms")]


async def _require_room(service: RoomService, room_id: str) -> Room:
    room = await service.store.get_room(room_id)
    if room is None:
        raise HTTPException(status_code=404, detail=f"unknown room {room_id!r}")
    return room


async def _room_info(service: RoomService, room: Room) -> RoomInfo:
    return RoomInfo(
        id=room.id,
        title=room.title,
        created_at=room.created_at,
        url=f"/rooms/{room.id}",
        websocket=f"/rooms/{room.id}/ws",
        languages=sorted(await service.languages(room.id)),  # type: ignore[arg-type]
        participants=service.participants(room.id),  # type: ignore[arg-type]
    )


def limit_room_creation(request: Request, service: RoomServiceDep) -> None:
    """Per client address (5,207 rooms were created from one in five minutes): 429 with Retry-After."""
    retry_after = service.creation_limiter.hit(client_key(request.client.host if request.client else None))
    if retry_after is not None:
        raise HTTPException(
            status_code=429,
            detail=f"too many rooms created from this address (at most {service.creation_limiter.spec})",
            headers={"Retry-After": str(retry_after)},
        )


# --- API --------------------------------------------------------------------------------------


@router.post(
    "/api/rooms",
    status_code=201,
    response_model=RoomInfo,
    dependencies=[Depends(limit_room_creation)],
    responses={
        **_TOO_LARGE,
        429: {
            "model": ErrorReply,
            "description": "Too many rooms created from this address (see Retry-After)",
        },
    },
)
async def create_room(service: RoomServiceDep, body: RoomCreate | None = None) -> RoomInfo:
    room = await service.store.create_room((body or RoomCreate()).title)
    return await _room_info(service, room)


@router.get("/api/rooms/{room_id}", response_model=RoomInfo)
async def get_room(room_id: RoomId, service: RoomServiceDep) -> RoomInfo:
    return await _room_info(service, await _require_room(service, room_id))


@router.get("/api/rooms/{room_id}/messages", response_model=MessageHistory)
async def list_messages(
    room_id: RoomId,
    service: RoomServiceDep,
    lang: Annotated[RoomLanguage, Query(description="the reader's language")],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    after: Annotated[
        int | None, Query(ge=0, description="only messages newer than this id (oldest first): a cursor")
    ] = None,
) -> MessageHistory:
    await _require_room(service, room_id)
    history = await service.store.history(room_id, limit, after)
    return MessageHistory(room=room_id, lang=lang, messages=[render_message(item, lang) for item in history])


@router.post(
    "/api/rooms/{room_id}/messages",
    status_code=201,
    response_model=RenderedMessage,
    responses={
        **_TOO_LARGE,
        200: {
            "model": RenderedMessage,
            "description": "A retry: the message stored before with this client_id",
        },
    },
)
async def post_message(
    room_id: RoomId, body: MessagePost, service: RoomServiceDep, response: Response
) -> RenderedMessage:
    await _require_room(service, room_id)
    # An HTTP author is a reader of their language too: later messages get translated for them.
    await service.add_reader_language(room_id, body.lang)
    message, created = await service.post_message(room_id, body.name, body.lang, body.text, body.client_id)
    if not created:
        response.status_code = 200
    return render_message(message, body.lang)


# --- pages ------------------------------------------------------------------------------------


@router.get("/rooms/assets/{name}", include_in_schema=False)
async def room_asset(name: str) -> FileResponse:
    if name not in _ASSETS:
        raise HTTPException(status_code=404, detail=f"no such file {name!r}")
    return FileResponse(STATIC_DIR / name, media_type=_ASSETS[name], headers={"Cache-Control": "no-cache"})


@router.get("/rooms", include_in_schema=False)
@router.get("/rooms/new", include_in_schema=False)
async def new_room_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "new.html", media_type="text/html", headers=CHAT_PAGE_HEADERS)


@router.get("/rooms/{room_id}", include_in_schema=False, response_model=None)
async def room_page(room_id: str, service: RoomServiceDep) -> FileResponse | HTMLResponse:
    if not _valid_room_id(room_id) or await service.store.get_room(room_id) is None:
        return HTMLResponse((STATIC_DIR / "not_found.html").read_text(encoding="utf-8"), status_code=404)
    # The chat page's Content-Security-Policy: no inline or foreign script, even if markup slipped through.
    return FileResponse(STATIC_DIR / "room.html", media_type="text/html", headers=CHAT_PAGE_HEADERS)


def _valid_room_id(room_id: str) -> bool:
    return re.fullmatch(ROOM_ID_PATTERN, room_id) is not None


# --- WebSocket --------------------------------------------------------------------------------


class _Refused(Exception):
    """A frame the protocol does not allow: the socket is closed with `code` and `reason`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _error(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail, **extra}


def _validation_detail(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}" for item in error.errors()
    )


async def _receive_event(
    websocket: WebSocket, connection: Connection, max_bytes: int
) -> dict[str, Any] | None:
    """The next JSON object from the client; None (after telling the client) when the frame is not one.

    Raises WebSocketDisconnect when the client is gone and _Refused for a binary or oversized frame. Read as
    raw ASGI messages: Starlette's receive_text fails with KeyError on a binary frame.
    """
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    raw = message.get("text")
    if raw is None:
        raise _Refused(WS_CLOSE_UNSUPPORTED, "binary frames are not accepted; send JSON text frames")
    # A character is at least one byte: the cheap test settles most frames without encoding them.
    if len(raw) > max_bytes or len(raw.encode()) > max_bytes:
        raise _Refused(WS_CLOSE_TOO_BIG, f"frame over the limit of {max_bytes} bytes")
    try:
        event = json.loads(raw)
    except ValueError:
        event = None
    if not isinstance(event, dict):
        connection.send(_error("bad_json", "every frame must be a JSON object"))
        return None
    return event


async def _await_join(websocket: WebSocket, connection: Connection, max_bytes: int) -> JoinRequest:
    while True:
        event = await _receive_event(websocket, connection, max_bytes)
        if event is None:
            continue
        if event.get("type") != "join":
            connection.send(_error("join_first", 'send {"type": "join", "name": ..., "lang": ...} first'))
            continue
        try:
            return JoinRequest.model_validate(event)
        except ValidationError as error:
            connection.send(_error("invalid_join", _validation_detail(error)))


async def _post_from_socket(service: RoomService, connection: Connection, event: dict[str, Any]) -> None:
    try:
        body = MessageText.model_validate(event)
    except ValidationError as error:
        client_id = event.get("client_id") if isinstance(event.get("client_id"), str) else None
        connection.send(_error("invalid_message", _validation_detail(error), client_id=client_id))
        return
    # Stored (committed) before the ack goes out: an acknowledged message is never lost.
    message, _created = await service.post_message(
        connection.room_id, connection.name, connection.lang, body.text, body.client_id
    )
    rendered = render_message(message, connection.lang).model_dump()
    connection.send({"type": "ack", "client_id": body.client_id, "message": rendered})


@router.websocket("/rooms/{room_id}/ws")
async def room_socket(websocket: WebSocket, room_id: str, service: RoomServiceDep) -> None:
    settings = service.settings
    if not origin_allowed(websocket, settings.rooms_allowed_origins):
        log.info("refused a room socket from origin %r", websocket.headers.get("origin"))
        # A close before accepting is an HTTP 403 on the wire. (A denial response with a JSON reason would
        # be nicer, but uvicorn's websockets-sansio logs an error for each one, and a browser page cannot
        # read the body of a refused handshake anyway.)
        await websocket.close(code=WS_CLOSE_POLICY, reason="this page's origin may not open room sockets")
        return
    try:
        await websocket.accept()
        room = await service.store.get_room(room_id) if _valid_room_id(room_id) else None
        if room is None:
            await websocket.send_json(_error("unknown_room", f"unknown room {room_id!r}"))
            await websocket.close(code=WS_CLOSE_UNKNOWN_ROOM, reason="unknown room")
            return
    except DISCONNECTED:
        return
    connection = Connection(websocket, room.id, settings.rooms_send_queue_size)
    connection.start()
    joined = False
    max_bytes = settings.rooms_max_frame_bytes
    try:
        try:
            join = await asyncio.wait_for(_await_join(websocket, connection, max_bytes), JOIN_TIMEOUT_S)
        except TimeoutError:
            connection.send(_error("join_timeout", "no join message received"))
            await connection.close(WS_CLOSE_BAD_JOIN, "no join", flush=True)
            return
        connection.name, connection.lang = join.name, join.lang
        info = await _room_info(service, room)
        connection.send(
            {"type": "joined", "room": info.model_dump(), "you": join.model_dump(exclude={"after"})}
        )
        await service.join(connection, join.after)
        joined = True
        while True:
            event = await _receive_event(websocket, connection, max_bytes)
            if event is None:
                continue
            kind = event.get("type")
            if kind == "ping":
                connection.send({"type": "pong"})
            elif kind == "message":
                await _post_from_socket(service, connection, event)
            else:
                connection.send(_error("unknown_type", f"unknown event type {kind!r}"))
    except _Refused as refused:
        await connection.close(refused.code, refused.reason)
    except DISCONNECTED:
        pass
    except RuntimeError:
        # Starlette and uvicorn raise RuntimeError for a receive or send after the close; anything else is a
        # bug to show.
        if websocket.application_state != WebSocketState.DISCONNECTED and not connection.closed:
            raise
    finally:
        if joined:
            service.leave(connection)
        await connection.stop()
