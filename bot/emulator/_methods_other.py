"""auth, conversations, users, reactions, assistant, views and apps.connections methods."""

from __future__ import annotations

import re
import secrets
from typing import Any

from ._blocks import parse_blocks
from ._core import EmulatorCore
from ._errors import SlackApiFailure
from ._events import view_object
from ._ids import random_id
from ._socket_mode import PATH
from ._state import Message, View
from ._web_api import Args, Handler

Json = dict[str, Any]


async def auth_test(core: EmulatorCore, args: Args) -> Json:
    """auth.test"""
    cfg = core.config
    return {
        "url": f"https://{cfg.team_domain}.slack.com/",
        "team": cfg.team_name,
        "user": cfg.bot_name,
        "team_id": cfg.team_id,
        "user_id": cfg.bot_user_id,
        "bot_id": cfg.bot_id,
        "is_enterprise_install": False,
    }


def _page(core: EmulatorCore, args: Args, messages: list[Message]) -> Json:
    limit = max(1, min(args.number("limit", 100), 1000))
    cursor = args.string("cursor")
    start = int(cursor) if cursor.isdigit() else 0
    page = messages[start : start + limit]
    more = start + limit < len(messages)
    return {
        "messages": [m.to_api(core.config.team_id, core.config.app_id) for m in page],
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def _in_range(args: Args, messages: list[Message]) -> list[Message]:
    oldest, latest = args.string("oldest"), args.string("latest")
    inclusive = args.flag("inclusive")
    kept = []
    for m in messages:
        if oldest and (m.ts < oldest or (m.ts == oldest and not inclusive)):
            continue
        if latest and (m.ts > latest or (m.ts == latest and not inclusive)):
            continue
        kept.append(m)
    return kept


async def conversations_replies(core: EmulatorCore, args: Args) -> Json:
    """conversations.replies"""
    conv = core.workspace.conversation(
        args.string("channel", required=True, error="channel_not_found")
    )
    ts = args.string("ts", required=True, error="thread_not_found")
    if ts not in core.workspace.messages[conv.id]:
        raise SlackApiFailure("thread_not_found")
    return _page(core, args, _in_range(args, core.workspace.thread(conv.id, ts)))


async def conversations_history(core: EmulatorCore, args: Args) -> Json:
    """conversations.history"""
    conv = core.workspace.conversation(
        args.string("channel", required=True, error="channel_not_found")
    )
    return _page(core, args, _in_range(args, core.workspace.history(conv.id)))


async def conversations_info(core: EmulatorCore, args: Args) -> Json:
    """conversations.info"""
    conv = core.workspace.conversation(
        args.string("channel", required=True, error="channel_not_found")
    )
    return {"channel": conv.to_api()}


async def users_info(core: EmulatorCore, args: Args) -> Json:
    """users.info"""
    user = core.workspace.user(args.string("user", required=True, error="user_not_found"))
    return {"user": user.to_api(core.config.team_id)}


def _reaction_target(core: EmulatorCore, args: Args) -> tuple[Message, str]:
    conv = core.workspace.conversation(
        args.string("channel", required=True, error="channel_not_found")
    )
    msg = core.workspace.message(
        conv.id, args.string("timestamp", required=True, error="no_item_specified")
    )
    name = args.string("name", required=True, error="invalid_name").strip(":")
    if not re.fullmatch(r"[a-z0-9_+'-]{1,100}(::skin-tone-[2-6])?", name):
        raise SlackApiFailure("invalid_name")
    return msg, name


async def reactions_add(core: EmulatorCore, args: Args) -> Json:
    """reactions.add"""
    msg, name = _reaction_target(core, args)
    users = msg.reactions.setdefault(name, [])
    if core.config.bot_user_id in users:
        raise SlackApiFailure("already_reacted")
    users.append(core.config.bot_user_id)
    core.workspace.touch()
    return {}


async def reactions_remove(core: EmulatorCore, args: Args) -> Json:
    """reactions.remove"""
    msg, name = _reaction_target(core, args)
    users = msg.reactions.get(name, [])
    if core.config.bot_user_id not in users:
        raise SlackApiFailure("no_reaction")
    users.remove(core.config.bot_user_id)
    if not users:
        del msg.reactions[name]
    core.workspace.touch()
    return {}


async def assistant_set_status(core: EmulatorCore, args: Args) -> Json:
    """assistant.threads.setStatus"""
    conv = core.workspace.conversation(
        args.string("channel_id", required=True, error="channel_not_found")
    )
    thread_ts = args.string("thread_ts", required=True)
    core.workspace.message(conv.id, thread_ts)
    core.workspace.statuses[(conv.id, thread_ts)] = args.string("status")
    core.workspace.touch()
    return {}


def _view_body(args: Args, kinds: tuple[str, ...]) -> Json:
    body = args.parsed("view")
    if not isinstance(body, dict) or body.get("type") not in kinds:
        raise SlackApiFailure("invalid_arguments")
    blocks = parse_blocks(body.get("blocks", []))
    if body.get("type") == "modal" and not isinstance(body.get("title"), dict):
        raise SlackApiFailure("invalid_arguments")
    return {**body, "blocks": blocks or []}


def _store_view(core: EmulatorCore, user: str, body: Json, view_id: str | None = None) -> Json:
    view = View(view_id or random_id("V", 10), user, body, secrets.token_hex(8))
    core.workspace.views[view.id] = view
    core.workspace.touch()
    return {"view": view_object(core.workspace, view)}


async def views_open(core: EmulatorCore, args: Args) -> Json:
    """views.open"""
    body = _view_body(args, ("modal",))
    user = core.workspace.use_trigger(
        args.string("trigger_id", required=True, error="invalid_trigger_id")
    )
    return _store_view(core, user, body)


async def views_update(core: EmulatorCore, args: Args) -> Json:
    """views.update"""
    view = core.workspace.views.get(args.string("view_id", required=True, error="not_found"))
    if view is None or view.closed:
        raise SlackApiFailure("not_found")
    return _store_view(core, view.user, _view_body(args, ("modal", "home")), view.id)


async def views_publish(core: EmulatorCore, args: Args) -> Json:
    """views.publish"""
    user = core.workspace.user(args.string("user_id", required=True, error="user_not_found"))
    body = _view_body(args, ("home",))
    existing = [
        v.id
        for v in core.workspace.views.values()
        if v.user == user.id and v.body.get("type") == "home"
    ]
    return _store_view(core, user.id, body, existing[0] if existing else None)


async def apps_connections_open(core: EmulatorCore, args: Args) -> Json:
    """apps.connections.open (app-level token only)"""
    ticket = core.sockets.new_ticket()
    ws_base = core.base_url.replace("http://", "ws://", 1)
    return {"url": f"{ws_base}{PATH}?ticket={ticket}&app_id={core.config.app_id}"}


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "conversations.replies": conversations_replies,
    "conversations.history": conversations_history,
    "conversations.info": conversations_info,
    "users.info": users_info,
    "reactions.add": reactions_add,
    "reactions.remove": reactions_remove,
    "assistant.threads.setStatus": assistant_set_status,
    "views.open": views_open,
    "views.update": views_update,
    "views.publish": views_publish,
    "apps.connections.open": apps_connections_open,
}
