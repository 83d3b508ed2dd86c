"""chat.* methods: post, update, delete, ephemeral, and the streaming trio."""

from __future__ import annotations

import time
from typing import Any

from ._blocks import parse_blocks
from ._core import EmulatorCore
from ._errors import SlackApiFailure
from ._state import Conversation, Message
from ._web_api import Args, Handler

Json = dict[str, Any]
MAX_TEXT = 40_000
MAX_MARKDOWN = 12_000


def _bot_conversation(core: EmulatorCore, args: Args) -> Conversation:
    conv = core.workspace.conversation(
        args.string("channel", required=True, error="channel_not_found")
    )
    if core.config.bot_user_id not in conv.members:
        raise SlackApiFailure("not_in_channel")
    return conv


def _text(args: Args, name: str = "text", limit: int = MAX_TEXT) -> str:
    text = args.string(name)
    if len(text) > limit:
        raise SlackApiFailure("msg_too_long")
    return text


def _metadata(args: Args) -> Json | None:
    value = args.parsed("metadata")
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("event_type"), str):
        raise SlackApiFailure("invalid_metadata_format")
    return value


def _own_message(core: EmulatorCore, conv: Conversation, ts: str, error: str) -> Message:
    msg = core.workspace.message(conv.id, ts)
    if msg.bot_id != core.config.bot_id:
        raise SlackApiFailure(error)
    return msg


def _api(core: EmulatorCore, msg: Message) -> Json:
    return msg.to_api(core.config.team_id, core.config.app_id)


async def post_message(core: EmulatorCore, args: Args) -> Json:
    """chat.postMessage"""
    conv = _bot_conversation(core, args)
    text = _text(args)
    blocks = parse_blocks(args.raw("blocks"))
    if not text and not blocks and not args.raw("attachments"):
        raise SlackApiFailure("no_text")
    msg = core.workspace.add_message(
        conv,
        user=core.config.bot_user_id,
        text=text,
        blocks=blocks,
        thread_ts=args.string("thread_ts") or None,
        bot=True,
        metadata=_metadata(args),
    )
    core.announce(msg)
    return {"channel": conv.id, "ts": msg.ts, "message": _api(core, msg)}


async def update(core: EmulatorCore, args: Args) -> Json:
    """chat.update"""
    conv = _bot_conversation(core, args)
    msg = _own_message(core, conv, args.string("ts", required=True), "cant_update_message")
    text = _text(args)
    blocks = parse_blocks(args.raw("blocks"))
    if not text and blocks is None and not args.raw("attachments"):
        raise SlackApiFailure("no_text")
    msg.text = text
    if blocks is not None or args.raw("blocks") == "":
        msg.blocks = blocks
    metadata = _metadata(args)
    if metadata is not None:
        msg.metadata = metadata
    msg.edited = {"user": core.config.bot_user_id, "ts": core.workspace.ids.ts()}
    core.workspace.touch()
    return {"channel": conv.id, "ts": msg.ts, "text": msg.text, "message": _api(core, msg)}


async def delete(core: EmulatorCore, args: Args) -> Json:
    """chat.delete"""
    conv = _bot_conversation(core, args)
    msg = _own_message(core, conv, args.string("ts", required=True), "cant_delete_message")
    core.workspace.delete_message(msg)
    return {"channel": conv.id, "ts": msg.ts}


async def post_ephemeral(core: EmulatorCore, args: Args) -> Json:
    """chat.postEphemeral"""
    conv = _bot_conversation(core, args)
    user = core.workspace.user(args.string("user", required=True, error="user_not_found"))
    if user.id not in conv.members:
        raise SlackApiFailure("user_not_in_channel")
    text = _text(args)
    blocks = parse_blocks(args.raw("blocks"))
    if not text and not blocks and not args.raw("attachments"):
        raise SlackApiFailure("no_text")
    thread_ts = args.string("thread_ts") or None
    msg = core.workspace.add_ephemeral(
        conv, for_user=user.id, text=text, blocks=blocks, thread_ts=thread_ts
    )
    return {"message_ts": msg.ts}


def _stream_text(args: Args) -> str:
    text = _text(args, "markdown_text", MAX_MARKDOWN)
    chunks = args.parsed("chunks")
    if chunks is None:
        return text
    if not isinstance(chunks, list):
        raise SlackApiFailure("invalid_chunks")
    for chunk in chunks:
        if not isinstance(chunk, dict) or not isinstance(chunk.get("type"), str):
            raise SlackApiFailure("invalid_chunks")
        if chunk["type"] == "markdown_text":
            if not isinstance(chunk.get("text"), str):
                raise SlackApiFailure("invalid_chunks")
            text += chunk["text"]
    if len(text) > MAX_MARKDOWN:
        raise SlackApiFailure("msg_too_long")
    return text


def _streaming_message(core: EmulatorCore, args: Args) -> Message:
    conv = _bot_conversation(core, args)
    msg = _own_message(core, conv, args.string("ts", required=True), "cant_update_message")
    idle = time.monotonic() - msg.stream_touched
    if msg.streaming and idle > core.config.stream_idle_timeout:
        msg.streaming = False
        core.workspace.touch()
    if not msg.streaming:
        raise SlackApiFailure("message_not_in_streaming_state")
    return msg


async def start_stream(core: EmulatorCore, args: Args) -> Json:
    """chat.startStream"""
    conv = _bot_conversation(core, args)
    thread_ts = args.string("thread_ts", required=True)
    msg = core.workspace.add_message(
        conv,
        user=core.config.bot_user_id,
        text=_stream_text(args),
        thread_ts=thread_ts,
        bot=True,
        streaming=True,
    )
    core.announce(msg)
    return {"channel": conv.id, "ts": msg.ts}


async def append_stream(core: EmulatorCore, args: Args) -> Json:
    """chat.appendStream"""
    msg = _streaming_message(core, args)
    addition = _stream_text(args)
    if len(msg.text) + len(addition) > MAX_TEXT:
        raise SlackApiFailure("msg_too_long")
    msg.text += addition
    msg.stream_touched = time.monotonic()
    core.workspace.touch()
    return {"channel": msg.channel, "ts": msg.ts}


async def stop_stream(core: EmulatorCore, args: Args) -> Json:
    """chat.stopStream"""
    msg = _streaming_message(core, args)
    msg.text += _stream_text(args)
    blocks = parse_blocks(args.raw("blocks"))
    if blocks is not None:
        msg.blocks = [{"type": "markdown", "text": msg.text}, *blocks]
    metadata = _metadata(args)
    if metadata is not None:
        msg.metadata = metadata
    msg.streaming = False
    core.workspace.touch()
    return {"channel": msg.channel, "ts": msg.ts, "message": _api(core, msg)}


METHODS: dict[str, Handler] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.delete": delete,
    "chat.postEphemeral": post_ephemeral,
    "chat.startStream": start_stream,
    "chat.appendStream": append_stream,
    "chat.stopStream": stop_stream,
}
