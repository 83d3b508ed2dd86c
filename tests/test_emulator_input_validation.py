"""Bad input to any Web API method gets Slack's error shape, never a 500 or a traceback."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.emulator import SlackEmulator

METHODS = [
    "chat.postMessage",
    "chat.update",
    "chat.delete",
    "chat.postEphemeral",
    "chat.startStream",
    "chat.appendStream",
    "chat.stopStream",
    "conversations.replies",
    "conversations.history",
    "conversations.info",
    "users.info",
    "reactions.add",
    "reactions.remove",
    "assistant.threads.setStatus",
    "views.open",
    "views.update",
    "views.publish",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
]
GARBAGE: dict[str, Any] = {
    "channel": {"not": "a string"},
    "channel_id": ["C0GENERAL1"],
    "ts": {"x": 1},
    "thread_ts": [1],
    "text": {"t": 1},
    "blocks": 5,
    "user": [],
    "user_id": 7,
    "view": "not json",
    "trigger_id": {"a": 1},
    "files": "{",
    "length": "many",
    "filename": {},
    "name": ["eyes"],
    "timestamp": {},
    "limit": "lots",
    "chunks": "[[",
    "metadata": "{",
}


@pytest.mark.parametrize("method", METHODS)
async def test_garbage_arguments_get_a_slack_error(slack: SlackEmulator, method: str) -> None:
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(slack.api_url + method, json=GARBAGE, headers=headers) as response,
    ):
        body = await response.json()
    assert response.status == 200
    assert body["ok"] is False
    assert isinstance(body["error"], str)
    assert body["error"] != "fatal_error"


async def test_non_object_json_body_is_invalid_json(slack: SlackEmulator) -> None:
    headers = {"Authorization": f"Bearer {slack.bot_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(slack.api_url + "chat.postMessage", json=[1, 2], headers=headers) as resp,
    ):
        assert await resp.json() == {"ok": False, "error": "invalid_json"}


async def test_playground_rejects_malformed_actions(slack: SlackEmulator) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(slack.url + "/ui/post", json={"user": 1}) as response,
    ):
        assert (response.status, (await response.json())["ok"]) == (400, False)
