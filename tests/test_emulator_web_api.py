"""The real slack_sdk AsyncWebClient against the emulator's Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackEmulator

GENERAL = "C0GENERAL1"
ALICE = "U0ALICE001"
BOB = "U0BOB00002"


@pytest.fixture
async def client(slack: SlackEmulator) -> AsyncIterator[AsyncWebClient]:
    web = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    yield web
    if web.session is not None:
        await web.session.close()


async def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as info:
        await call  # type: ignore[misc]
    return str(info.value.response["error"])


async def test_auth_test_names_the_bot(client: AsyncWebClient, slack: SlackEmulator) -> None:
    response = await client.auth_test()
    assert (response["user_id"], response["bot_id"], response["team_id"]) == (
        slack.bot_user_id,
        slack.config.bot_id,
        slack.team_id,
    )


async def test_missing_token_is_not_authed(slack: SlackEmulator) -> None:
    assert await error_of(AsyncWebClient(base_url=slack.api_url).auth_test()) == "not_authed"


async def test_unknown_token_is_invalid_auth(slack: SlackEmulator) -> None:
    client = AsyncWebClient(token="xoxb-nope", base_url=slack.api_url)
    assert await error_of(client.auth_test()) == "invalid_auth"


async def test_app_token_cannot_post_messages(slack: SlackEmulator) -> None:
    client = AsyncWebClient(token=slack.app_token, base_url=slack.api_url)
    error = await error_of(client.chat_postMessage(channel=GENERAL, text="hi"))
    assert error == "not_allowed_token_type"


async def test_token_in_form_body_is_accepted(slack: SlackEmulator) -> None:
    async with aiohttp.ClientSession() as session:
        form = {"token": slack.bot_token, "channel": GENERAL, "text": "form"}
        async with session.post(slack.api_url + "chat.postMessage", data=form) as response:
            body = await response.json()
    assert body["ok"] is True
    assert slack.history(GENERAL)[-1].text == "form"


async def test_malformed_json_body_gets_slack_error_shape(slack: SlackEmulator) -> None:
    async with aiohttp.ClientSession() as session:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {slack.bot_token}"}
        async with session.post(
            slack.api_url + "chat.postMessage", data=b"{not json", headers=headers
        ) as response:
            assert (response.status, await response.json()) == (
                200,
                {"ok": False, "error": "invalid_json"},
            )


async def test_post_message_appears_in_history(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    response = await client.chat_postMessage(channel=GENERAL, text="hello *world*")
    history = await client.conversations_history(channel=GENERAL)
    assert history["messages"][0]["ts"] == response["ts"]
    assert history["messages"][0]["text"] == "hello *world*"
    assert history["messages"][0]["bot_id"] == slack.config.bot_id


async def test_message_ts_values_strictly_increase(client: AsyncWebClient) -> None:
    stamps = [(await client.chat_postMessage(channel=GENERAL, text=str(i)))["ts"] for i in range(4)]
    assert all(len(ts.split(".")[1]) == 6 for ts in stamps)
    assert [float(ts) for ts in stamps] == sorted({float(ts) for ts in stamps})


async def test_channel_by_name_is_resolved(client: AsyncWebClient) -> None:
    response = await client.chat_postMessage(channel="#general", text="by name")
    assert response["channel"] == GENERAL


async def test_unknown_channel_is_channel_not_found(client: AsyncWebClient) -> None:
    assert await error_of(client.chat_postMessage(channel="C0NOPE", text="x")) == (
        "channel_not_found"
    )


async def test_text_over_40000_characters_is_msg_too_long(client: AsyncWebClient) -> None:
    error = await error_of(client.chat_postMessage(channel=GENERAL, text="a" * 40_001))
    assert error == "msg_too_long"


async def test_malformed_blocks_are_invalid_blocks(client: AsyncWebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "bogus", "text": "x"}}]
    error = await error_of(client.chat_postMessage(channel=GENERAL, text="x", blocks=blocks))
    assert error == "invalid_blocks"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_message_without_text_or_blocks_is_no_text(client: AsyncWebClient) -> None:
    assert await error_of(client.chat_postMessage(channel=GENERAL, text="")) == "no_text"


async def test_update_changes_what_the_thread_shows(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="draft")
    await client.chat_update(channel=GENERAL, ts=posted["ts"], text="final")
    [seen] = slack.thread(GENERAL, posted["ts"])
    assert (seen.text, seen.edited) == ("final", True)


async def test_bot_cannot_update_a_persons_message(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    ts = await slack.post_message("mine")
    assert await error_of(client.chat_update(channel=GENERAL, ts=ts, text="x")) == (
        "cant_update_message"
    )


async def test_delete_removes_the_message(client: AsyncWebClient, slack: SlackEmulator) -> None:
    posted = await client.chat_postMessage(channel=GENERAL, text="gone soon")
    await client.chat_delete(channel=GENERAL, ts=posted["ts"])
    assert slack.history(GENERAL) == []


async def test_ephemeral_message_is_seen_only_by_its_user(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    await client.chat_postEphemeral(channel=GENERAL, user=ALICE, text="psst")
    assert [m.text for m in slack.ephemerals(ALICE)] == ["psst"]
    assert (slack.ephemerals(BOB), slack.history(GENERAL)) == ([], [])


async def test_replies_list_parent_then_replies(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("question")
    await client.chat_postMessage(channel=GENERAL, thread_ts=parent, text="answer")
    replies = await client.conversations_replies(channel=GENERAL, ts=parent)
    assert [m["text"] for m in replies["messages"]] == ["question", "answer"]
    assert replies["messages"][0]["reply_count"] == 1


async def test_replies_of_unknown_thread_is_thread_not_found(client: AsyncWebClient) -> None:
    error = await error_of(client.conversations_replies(channel=GENERAL, ts="1.000001"))
    assert error == "thread_not_found"


async def test_conversations_info_describes_the_channel(client: AsyncWebClient) -> None:
    channel = (await client.conversations_info(channel=GENERAL))["channel"]
    assert (channel["id"], channel["name"], channel["is_channel"]) == (GENERAL, "general", True)


async def test_users_info_of_unknown_user_is_user_not_found(client: AsyncWebClient) -> None:
    assert (await client.users_info(user=ALICE))["user"]["name"] == "alice"
    assert await error_of(client.users_info(user="U0NOBODY")) == "user_not_found"


async def test_reactions_add_then_remove(client: AsyncWebClient, slack: SlackEmulator) -> None:
    ts = await slack.post_message("react to me")
    await client.reactions_add(channel=GENERAL, timestamp=ts, name="eyes")
    assert slack.thread(GENERAL, ts)[0].reactions == {"eyes": (slack.bot_user_id,)}
    await client.reactions_remove(channel=GENERAL, timestamp=ts, name="eyes")
    assert slack.thread(GENERAL, ts)[0].reactions == {}


async def test_reacting_twice_is_already_reacted(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    ts = await slack.post_message("react to me")
    await client.reactions_add(channel=GENERAL, timestamp=ts, name="eyes")
    error = await error_of(client.reactions_add(channel=GENERAL, timestamp=ts, name="eyes"))
    assert error == "already_reacted"


async def test_assistant_status_is_recorded(client: AsyncWebClient, slack: SlackEmulator) -> None:
    ts = await slack.post_message("help")
    await client.assistant_threads_setStatus(channel_id=GENERAL, thread_ts=ts, status="thinking")
    assert slack.assistant_status(GENERAL, ts) == "thinking"


async def test_views_open_with_unknown_trigger_is_invalid_trigger_id(
    client: AsyncWebClient,
) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    assert await error_of(client.views_open(trigger_id="1.2.x", view=view)) == (
        "invalid_trigger_id"
    )


async def test_views_publish_returns_the_home_view(client: AsyncWebClient) -> None:
    view = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    }
    response = await client.views_publish(user_id=ALICE, view=view)
    assert response["view"]["id"].startswith("V")
    assert response["view"]["type"] == "home"


async def test_apps_connections_open_returns_a_websocket_url(slack: SlackEmulator) -> None:
    client = AsyncWebClient(token=slack.app_token, base_url=slack.api_url)
    response = await client.apps_connections_open(app_token=slack.app_token)
    assert response["url"].startswith(slack.url.replace("http", "ws") + "/link/?ticket=")


async def test_apps_connections_open_refuses_a_bot_token(client: AsyncWebClient) -> None:
    error = await error_of(client.apps_connections_open(app_token=client.token or ""))
    assert error == "not_allowed_token_type"


async def test_files_upload_v2_shares_the_file_in_a_thread(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("send me the log")
    response = await client.files_upload_v2(
        channel=GENERAL, thread_ts=parent, content="line 1\n", filename="run.log", title="Run log"
    )
    assert (response["file"]["name"], response["file"]["size"]) == ("run.log", 7)
    reply = slack.thread(GENERAL, parent)[1]
    assert [f["title"] for f in reply.files] == ["Run log"]


async def test_unknown_method_is_unknown_method(client: AsyncWebClient) -> None:
    assert await error_of(client.api_call("chat.nope")) == "unknown_method"


async def test_bot_outside_a_channel_gets_not_in_channel() -> None:
    from bot.emulator import ChannelSpec, WorkspaceConfig

    config = WorkspaceConfig(channels=[ChannelSpec(id="C0SECRET01", name="s", bot_member=False)])
    async with SlackEmulator(config) as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        assert await error_of(client.chat_postMessage(channel="C0SECRET01", text="x")) == (
            "not_in_channel"
        )
        if client.session is not None:
            await client.session.close()


async def test_thread_as_a_user_includes_their_ephemerals(
    client: AsyncWebClient, slack: SlackEmulator
) -> None:
    parent = await slack.post_message("question")
    await client.chat_postMessage(channel=GENERAL, thread_ts=parent, text="public")
    await client.chat_postEphemeral(channel=GENERAL, user=BOB, thread_ts=parent, text="for bob")
    assert [m.text for m in slack.thread(GENERAL, parent, as_user=BOB)] == [
        "question",
        "public",
        "for bob",
    ]
    assert [m.text for m in slack.thread(GENERAL, parent, as_user=ALICE)] == ["question", "public"]
