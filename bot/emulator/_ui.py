"""The browser playground: static files, a live snapshot over WebSocket, and user actions."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from pydantic import BaseModel, Field, ValidationError

from ._core import EmulatorCore
from ._errors import SlackApiFailure
from ._state import Message

Json = dict[str, Any]
STATIC = Path(__file__).parent / "static"


class _PostBody(BaseModel):
    user: str
    channel: str
    text: str = Field(min_length=1, max_length=40_000)
    thread_ts: str | None = None


class _ClickBody(BaseModel):
    user: str
    channel: str
    message_ts: str
    action_id: str
    value: str | None = None


class _CommandBody(BaseModel):
    user: str
    channel: str
    command: str
    text: str = ""


class _SubmitBody(BaseModel):
    user: str
    view_id: str
    values: dict[str, dict[str, dict[str, Any]]] = Field(default_factory=dict)


def _message(core: EmulatorCore, msg: Message) -> Json:
    out = msg.to_api(core.config.team_id, core.config.app_id)
    out["streaming"] = msg.streaming
    out["format"] = "markdown" if msg.markdown else "mrkdwn"
    if msg.ephemeral_for:
        out["ephemeral_for"] = msg.ephemeral_for
        out["channel"] = msg.channel
    return out


def snapshot(core: EmulatorCore) -> Json:
    """Everything the page shows, as one JSON document."""
    ws = core.workspace
    conversations = []
    for conv in ws.conversations.values():
        top = sorted(ws.history(conv.id), key=lambda m: m.ts)
        conversations.append(
            {
                **conv.to_api(),
                "name": conv.name,
                "type": conv.type,
                "messages": [
                    {
                        **_message(core, m),
                        "replies": [_message(core, ws.messages[conv.id][r]) for r in m.reply_ts],
                        "status": ws.statuses.get((conv.id, m.ts), ""),
                    }
                    for m in top
                ],
            }
        )
    return {
        "version": ws.version,
        "team": {"id": core.config.team_id, "name": core.config.team_name},
        "bot": {"id": core.config.bot_user_id, "name": core.config.bot_name},
        "users": [
            {"id": u.id, "name": u.name, "real_name": u.real_name, "is_bot": u.is_bot}
            for u in ws.users.values()
        ],
        "conversations": conversations,
        "ephemerals": [_message(core, m) for m in ws.ephemerals],
        "views": [
            {"id": v.id, "user": v.user, "body": v.body, "errors": v.errors}
            for v in ws.views.values()
            if not v.closed and v.body.get("type") == "modal"
        ],
    }


def ui_routes(core: EmulatorCore) -> list[web.AbstractRouteDef]:
    """Routes of the page: ``/``, ``/static/...``, ``/ui/ws`` and ``/ui/<action>``."""

    async def index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def state(request: web.Request) -> web.Response:
        return web.json_response(snapshot(core))

    async def live(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=20)
        await ws.prepare(request)
        reader = asyncio.get_running_loop().create_task(_drain(ws))
        try:
            seen = -1
            while not ws.closed:
                if core.workspace.version != seen:
                    seen = core.workspace.version
                    await ws.send_str(json.dumps(snapshot(core)))
                await core.workspace.changed(timeout=1.0)
                # Streams change many times a second; batch them into one snapshot.
                await asyncio.sleep(0.03)
        except (ConnectionError, RuntimeError):
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        return ws

    async def act(request: web.Request) -> web.Response:
        action = request.match_info["action"]
        try:
            data = await request.json()
            result = _perform(core, action, data)
        except (ValueError, ValidationError):
            return web.json_response({"ok": False, "error": "invalid_arguments"}, status=400)
        except SlackApiFailure as failure:
            return web.json_response(failure.body(), status=400)
        return web.json_response({"ok": True, **result})

    return [
        web.get("/", index),
        web.static("/static", STATIC),
        web.get("/ui/state", state),
        web.get("/ui/ws", live),
        web.post("/ui/{action}", act),
    ]


def _perform(core: EmulatorCore, action: str, data: Any) -> Json:
    if action == "post":
        post = _PostBody.model_validate(data)
        msg = core.post_as_user(
            user=post.user, channel=post.channel, text=post.text, thread_ts=post.thread_ts
        )
        return {"ts": msg.ts}
    if action == "click":
        click = _ClickBody.model_validate(data)
        core.click(
            user=click.user,
            channel=click.channel,
            message_ts=click.message_ts,
            action_id=click.action_id,
            value=click.value,
        )
        return {}
    if action == "command":
        cmd = _CommandBody.model_validate(data)
        core.run_command(user=cmd.user, channel=cmd.channel, command=cmd.command, text=cmd.text)
        return {}
    if action == "submit_view":
        sub = _SubmitBody.model_validate(data)
        core.submit_view(user=sub.user, view_id=sub.view_id, values=sub.values)
        return {}
    if action == "close_view":
        view = core.workspace.views.get(str(data.get("view_id")) if isinstance(data, dict) else "")
        if view is not None:
            view.closed = True
            core.workspace.touch()
        return {}
    raise SlackApiFailure("unknown_method")


async def _drain(ws: web.WebSocketResponse) -> None:
    async for msg in ws:
        if msg.type == WSMsgType.ERROR:
            break
