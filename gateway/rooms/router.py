"""HTTP and WebSocket endpoints of the translated conversation rooms, and their pages.

Pages: `/rooms/new` (create a room), `/rooms/{id}` (the room). API: `POST /api/rooms`, `GET /api/rooms/{id}`,
`GET /api/rooms/{id}/messages?lang=`, `POST /api/rooms/{id}/messages`. Live: WebSocket `/rooms/{id}/ws`.

WebSocket protocol (JSON text frames). Client → server: `{"type": "join", "name", "lang"}` first, then
`{"type": "message", "text"}` or `{"type": "ping"}`. Server → client: `joined`, `history` (`messages`),
`message` and `update` (`message`: a RenderedMessage; the client replaces a message by its id), `presence`
(`participants`), `pong`, and `error` (`code`, `detail`). An unknown room closes with code 4404 after the
error.
"""

import asyncio
import json
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Depends,
    HTTPException,
    Query,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi import (
    Path as PathParam,
)
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import ValidationError
from starlette.requests import HTTPConnection

from gateway.rooms.hub import Connection
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

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "rooms"
# The only files the room pages load; served by name so no path from the URL ever reaches the file system.
_ASSETS = {"room.css": "text/css", "room.js": "text/javascript", "new.js": "text/javascript"}
# A participant has this long to say who they are after connecting.
JOIN_TIMEOUT_S = 60.0
WS_CLOSE_UNKNOWN_ROOM = 4404
WS_CLOSE_BAD_JOIN = 4400

router = APIRouter(tags=["rooms"])


def get_room_service(connection: HTTPConnection) -> RoomService:
    """The RoomService the lifespan put on app.state (HTTPConnection: works for HTTP and WebSocket routes)."""
    service = getattr(connection.app.state, "room_service", None)
    if service is None:
        raise HTTPException(status_code=503, detail="conversation rooms are not running")
    return service


RoomServiceDep = Annotated[RoomService, Depends(get_room_service)]
RoomId = Annotated[str, PathParam(pattern=ROOM_ID_PATTERN, description="the id from POST /api/rooms")]


def _require_room(service: RoomService, room_id: str) -> Room:
    room = service.store.get_room(room_id)
    if room is None:
        raise HTTPException(status_code=404, detail=f"unknown room {room_id!r}")
    return room


def _room_info(service: RoomService, room: Room) -> RoomInfo:
    return RoomInfo(
        id=room.id,
        title=room.title,
        created_at=room.created_at,
        url=f"/rooms/{room.id}",
        websocket=f"/rooms/{room.id}/ws",
        languages=sorted(service.store.languages(room.id)),  # type: ignore[arg-type]
        participants=service.hub.participants(room.id),  # type: ignore[arg-type]
    )


# --- API --------------------------------------------------------------------------------------


@router.post("/api/rooms", status_code=201, response_model=RoomInfo)
async def create_room(service: RoomServiceDep, body: RoomCreate | None = None) -> RoomInfo:
    room = service.store.create_room((body or RoomCreate()).title)
    return _room_info(service, room)


@router.get("/api/rooms/{room_id}", response_model=RoomInfo)
async def get_room(room_id: RoomId, service: RoomServiceDep) -> RoomInfo:
    return _room_info(service, _require_room(service, room_id))


@router.get("/api/rooms/{room_id}/messages", response_model=MessageHistory)
async def list_messages(
    room_id: RoomId,
    service: RoomServiceDep,
    lang: Annotated[RoomLanguage, Query(description="the reader's language")],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> MessageHistory:
    _require_room(service, room_id)
    messages = [render_message(message, lang) for message in service.store.history(room_id, limit)]
    return MessageHistory(room=room_id, lang=lang, messages=messages)


@router.post("/api/rooms/{room_id}/messages", status_code=201, response_model=RenderedMessage)
async def post_message(room_id: RoomId, body: MessagePost, service: RoomServiceDep) -> RenderedMessage:
    _require_room(service, room_id)
    # An HTTP author is a reader of their language too: later messages get translated for them.
    service.add_reader_language(room_id, body.lang)
    message = await service.post_message(room_id, body.name, body.lang, body.text)
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
    if not _valid_room_id(room_id) or service.store.get_room(room_id) is None:
        return HTMLResponse((STATIC_DIR / "not_found.html").read_text(encoding="utf-8"), status_code=404)
    # The chat page's Content-Security-Policy: no inline or foreign script, even if markup slipped through.
    return FileResponse(STATIC_DIR / "room.html", media_type="text/html", headers=CHAT_PAGE_HEADERS)


def _valid_room_id(room_id: str) -> bool:
    return re.fullmatch(ROOM_ID_PATTERN, room_id) is not None


# --- WebSocket --------------------------------------------------------------------------------


def _error(code: str, detail: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail}


def _validation_detail(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}" for item in error.errors()
    )


async def _receive_event(websocket: WebSocket) -> dict[str, Any] | None:
    """The next JSON object from the client; None (after telling the client) when the frame is not one."""
    raw = await websocket.receive_text()
    try:
        event = json.loads(raw)
    except ValueError:
        await websocket.send_json(_error("bad_json", "every frame must be a JSON object"))
        return None
    if not isinstance(event, dict):
        await websocket.send_json(_error("bad_json", "every frame must be a JSON object"))
        return None
    return event


async def _await_join(websocket: WebSocket) -> JoinRequest | None:
    while True:
        event = await _receive_event(websocket)
        if event is None:
            continue
        if event.get("type") != "join":
            await websocket.send_json(
                _error("join_first", 'send {"type": "join", "name": ..., "lang": ...} first')
            )
            continue
        try:
            return JoinRequest.model_validate(event)
        except ValidationError as error:
            await websocket.send_json(_error("invalid_join", _validation_detail(error)))


@router.websocket("/rooms/{room_id}/ws")
async def room_socket(websocket: WebSocket, room_id: str, service: RoomServiceDep) -> None:
    await websocket.accept()
    room = service.store.get_room(room_id) if _valid_room_id(room_id) else None
    if room is None:
        await websocket.send_json(_error("unknown_room", f"unknown room {room_id!r}"))
        await websocket.close(code=WS_CLOSE_UNKNOWN_ROOM, reason="unknown room")
        return
    connection: Connection | None = None
    try:
        try:
            join = await asyncio.wait_for(_await_join(websocket), timeout=JOIN_TIMEOUT_S)
        except TimeoutError:
            await websocket.send_json(_error("join_timeout", "no join message received"))
            await websocket.close(code=WS_CLOSE_BAD_JOIN, reason="no join")
            return
        connection = Connection(websocket=websocket, room_id=room.id, name=join.name, lang=join.lang)
        await connection.send(
            {"type": "joined", "room": _room_info(service, room).model_dump(), "you": join.model_dump()}
        )
        await service.join(connection)
        while True:
            event = await _receive_event(websocket)
            if event is None:
                continue
            kind = event.get("type")
            if kind == "ping":
                await connection.send({"type": "pong"})
            elif kind == "message":
                try:
                    text = MessageText.model_validate(event).text
                except ValidationError as error:
                    await connection.send(_error("invalid_message", _validation_detail(error)))
                    continue
                await service.post_message(room.id, connection.name, connection.lang, text)
            else:
                await connection.send(_error("unknown_type", f"unknown event type {kind!r}"))
    except WebSocketDisconnect:
        pass
    finally:
        if connection is not None:
            service.leave(connection)
