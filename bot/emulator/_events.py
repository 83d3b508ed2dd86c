"""Payloads as Slack sends them: Events API callbacks, block_actions, view_submission and
slash commands. Pure functions of the workspace; nothing here sends anything."""

from __future__ import annotations

import time
import uuid
from typing import Any

from ._state import Conversation, Message, User, View, Workspace

Json = dict[str, Any]


def _authorizations(ws: Workspace) -> list[Json]:
    cfg = ws.config
    return [
        {
            "enterprise_id": None,
            "team_id": cfg.team_id,
            "user_id": cfg.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]


def event_callback(ws: Workspace, event: Json) -> Json:
    """The outer ``event_callback`` body around one event."""
    cfg = ws.config
    return {
        "token": cfg.verification_token,
        "team_id": cfg.team_id,
        "context_team_id": cfg.team_id,
        "context_enterprise_id": None,
        "api_app_id": cfg.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": ws.ids.event_id(),
        "event_time": int(time.time()),
        "authorizations": _authorizations(ws),
        "is_ext_shared_channel": False,
        "event_context": "4-" + uuid.uuid4().hex,
    }


def _rich_text(text: str) -> list[Json]:
    return [
        {
            "type": "rich_text",
            "block_id": uuid.uuid4().hex[:5],
            "elements": [
                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
            ],
        }
    ]


def message_event(ws: Workspace, msg: Message, conv: Conversation) -> Json:
    """A ``message`` event for a new message (a person's or the bot's)."""
    event: Json = {
        "type": "message",
        "user": msg.user,
        "text": msg.text,
        "ts": msg.ts,
        "event_ts": msg.ts,
        "channel": conv.id,
        "channel_type": conv.type,
        "team": ws.config.team_id,
    }
    if msg.bot_id:
        event["bot_id"] = msg.bot_id
        event["app_id"] = ws.config.app_id
        event["bot_profile"] = {
            "id": msg.bot_id,
            "app_id": ws.config.app_id,
            "name": ws.config.bot_name,
            "team_id": ws.config.team_id,
        }
        if msg.blocks is not None:
            event["blocks"] = msg.blocks
    else:
        event["client_msg_id"] = str(uuid.uuid4())
        event["blocks"] = _rich_text(msg.text)
    if msg.files:
        event["files"] = msg.files
        event["subtype"] = "file_share"
    if msg.thread_ts and msg.thread_ts != msg.ts:
        event["thread_ts"] = msg.thread_ts
        event["parent_user_id"] = ws.messages[conv.id][msg.thread_ts].user
    return event


def app_mention_event(ws: Workspace, msg: Message, conv: Conversation) -> Json:
    """An ``app_mention`` event for a message that mentions the bot."""
    event: Json = {
        "type": "app_mention",
        "user": msg.user,
        "text": msg.text,
        "ts": msg.ts,
        "event_ts": msg.ts,
        "channel": conv.id,
        "team": ws.config.team_id,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": _rich_text(msg.text),
    }
    if msg.thread_ts and msg.thread_ts != msg.ts:
        event["thread_ts"] = msg.thread_ts
    return event


def _user_ref(ws: Workspace, user: User) -> Json:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": ws.config.team_id}


def block_actions(
    ws: Workspace,
    *,
    user: User,
    msg: Message,
    conv: Conversation,
    block_id: str,
    element: Json,
    value: str | None,
    trigger_id: str,
    response_url: str,
) -> Json:
    """A ``block_actions`` payload for a click on ``element`` in ``msg``."""
    cfg = ws.config
    container: Json = {
        "type": "message",
        "message_ts": msg.ts,
        "channel_id": conv.id,
        "is_ephemeral": msg.ephemeral_for is not None,
    }
    if msg.thread_ts:
        container["thread_ts"] = msg.thread_ts
    action: Json = {
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "type": element.get("type"),
        "action_ts": f"{time.time():.6f}",
    }
    if "text" in element:
        action["text"] = element["text"]
    if value is not None:
        action["value"] = value
    if "style" in element:
        action["style"] = element["style"]
    payload: Json = {
        "type": "block_actions",
        "user": _user_ref(ws, user),
        "api_app_id": cfg.app_id,
        "token": cfg.verification_token,
        "container": container,
        "trigger_id": trigger_id,
        "team": {"id": cfg.team_id, "domain": cfg.team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": conv.id, "name": conv.name if conv.type != "im" else "directmessage"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    if msg.ephemeral_for is None:
        payload["message"] = msg.to_api(cfg.team_id, cfg.app_id)
    return payload


def view_object(ws: Workspace, view: View, values: Json | None = None) -> Json:
    """The ``view`` object Slack returns from views.open and sends on submission."""
    cfg = ws.config
    return {
        "id": view.id,
        "team_id": cfg.team_id,
        "app_id": cfg.app_id,
        "bot_id": cfg.bot_id,
        "type": view.body.get("type", "modal"),
        "title": view.body.get("title"),
        "submit": view.body.get("submit"),
        "close": view.body.get("close"),
        "blocks": view.body.get("blocks", []),
        "private_metadata": view.body.get("private_metadata", ""),
        "callback_id": view.body.get("callback_id", ""),
        "external_id": view.body.get("external_id", ""),
        "state": {"values": values or {}},
        "hash": view.hash,
        "root_view_id": view.id,
        "previous_view_id": None,
        "app_installed_team_id": cfg.team_id,
    }


def view_submission(ws: Workspace, *, user: User, view: View, values: Json) -> Json:
    """A ``view_submission`` payload for ``view`` with input ``values``."""
    cfg = ws.config
    return {
        "type": "view_submission",
        "team": {"id": cfg.team_id, "domain": cfg.team_domain},
        "user": _user_ref(ws, user),
        "api_app_id": cfg.app_id,
        "token": cfg.verification_token,
        "trigger_id": ws.new_trigger(user.id),
        "view": view_object(ws, view, values),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def slash_command(
    ws: Workspace,
    *,
    user: User,
    conv: Conversation,
    command: str,
    text: str,
    trigger_id: str,
    response_url: str,
) -> dict[str, str]:
    """The form fields of a slash command invocation."""
    cfg = ws.config
    return {
        "token": cfg.verification_token,
        "team_id": cfg.team_id,
        "team_domain": cfg.team_domain,
        "channel_id": conv.id,
        "channel_name": conv.name if conv.type != "im" else "directmessage",
        "user_id": user.id,
        "user_name": user.name,
        "command": command,
        "text": text,
        "api_app_id": cfg.app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
