"""The Slack app: a Bolt ``AsyncApp`` whose listeners are short (validate, start or resume a
run, return), and its lifecycle in Socket Mode or over HTTP."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection
from typing import Any

from aiohttp import web
from pydantic import ValidationError
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from agents import Agent, PolosClient
from bot import _texts
from bot._agents import AgentDirectory
from bot._approvals import Approvals
from bot._blocks import (
    ALWAYS_ALLOW_ACTION,
    APPROVE_ACTION,
    DENY_ACTION,
    DENY_MODAL_CALLBACK,
    STOP_ACTION,
    MalformedPayloadError,
    parse_stop_value,
)
from bot._commands import Commands
from bot._launcher import Launcher, SlackOrigin
from bot._responder import Responder
from bot._slack import MessageEvent, conversation_id, mentions, parse_request

log = logging.getLogger("polos.bot")

EVENT_LISTENERS = {"app_mention": True, "message": False}
"""Event types the bot listens to, and whether the event itself is a mention. The manifest
subscribes to exactly these (``message`` as message.channels / .groups / .im)."""

SLASH_COMMANDS = ("/polos",)
"""The slash commands the bot answers; the manifest declares exactly these."""


class PolosBot:
    """Mentions become durable agent runs whose answers stream into the thread.

    Args:
        polos: The client whose (embedded) worker executes the runs.
        directory: The agents people can mention.
        slack: The Web API client (``base_url`` points at the emulator in tests and ``dev``).
        signing_secret: Verifies HTTP deliveries (not needed in Socket Mode).
        app_token: The ``xapp-`` token for Socket Mode.
        approvers: Slack user ids who may approve anyone's requests.
        followups_need_mention: Whether replies in a thread need a new mention.
        approval_timeout: Seconds a request for approval waits before it expires.
        stream_options: Passed to each answer's ``ThreadStream`` (tests shorten intervals).
    """

    def __init__(
        self,
        *,
        polos: PolosClient,
        directory: AgentDirectory,
        slack: AsyncWebClient,
        signing_secret: str | None = None,
        app_token: str | None = None,
        approvers: Collection[str] = (),
        followups_need_mention: bool = False,
        approval_timeout: float | None = None,
        stream_options: dict[str, object] | None = None,
    ) -> None:
        self.polos = polos
        self.directory = directory
        self.slack = slack
        self.app_token = app_token
        self.followups_need_mention = followups_need_mention
        self.bot_user_id: str | None = None
        self.launcher = Launcher(polos, slack, approval_timeout=approval_timeout)
        self.approvals = Approvals(polos, slack, approvers=approvers)
        self.responder = Responder(
            polos,
            slack,
            self.launcher,
            post_approval=self.approvals.post,
            stream_options=stream_options,
        )
        self.commands = Commands(
            polos, slack, directory, self.launcher, approvers=frozenset(approvers)
        )
        self.app = AsyncApp(
            client=slack,
            signing_secret=signing_secret or "",
            request_verification_enabled=bool(signing_secret),
        )
        self._socket: AsyncSocketModeHandler | None = None
        self._http: web.AppRunner | None = None
        self._register()

    # -- listeners -------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app

        for event_type, mentioned in EVENT_LISTENERS.items():
            app.event(event_type)(self._event_listener(mentioned=mentioned))

        @app.action(APPROVE_ACTION)
        async def on_approve(ack: Any, body: dict[str, Any]) -> None:
            await ack()
            await self.approvals.on_button(body, approved=True)

        @app.action(ALWAYS_ALLOW_ACTION)
        async def on_always(ack: Any, body: dict[str, Any]) -> None:
            await ack()
            await self.approvals.on_button(body, approved=True, always=True)

        @app.action(DENY_ACTION)
        async def on_deny(ack: Any, body: dict[str, Any]) -> None:
            await ack()
            await self.approvals.on_deny_click(body)

        @app.view(DENY_MODAL_CALLBACK)
        async def on_deny_reason(ack: Any, body: dict[str, Any]) -> None:
            await ack()
            await self.approvals.on_deny_submission(body)

        @app.action(STOP_ACTION)
        async def on_stop(ack: Any, body: dict[str, Any]) -> None:
            await ack()
            await self._on_stop(body)

        for name in SLASH_COMMANDS:

            @app.command(name)
            async def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
                await ack()
                answer = await self.commands.handle(command)
                await respond(text=answer, response_type="ephemeral")

    def _event_listener(self, *, mentioned: bool) -> Any:
        async def on_event(event: dict[str, Any], body: dict[str, Any]) -> None:
            await self._on_message(event, body, mentioned=mentioned)

        return on_event

    async def _on_message(
        self, event: dict[str, Any], body: dict[str, Any], *, mentioned: bool
    ) -> None:
        try:
            message = MessageEvent.model_validate(event)
        except ValidationError as exc:
            log.warning("ignored a malformed Slack event: %s", exc.errors()[0]["msg"])
            return
        if not message.is_plain_message or message.user is None:
            return  # bots (ourselves included), edits, deletions, joins
        team = message.team or str(body.get("team_id", ""))
        is_dm = message.channel_type == "im"
        if not mentioned and not is_dm:
            if self.bot_user_id and mentions(message.text, self.bot_user_id):
                return  # the app_mention event of the same message answers it
            if self.followups_need_mention or message.thread_ts is None:
                return
        thread_agent = await self._thread_agent(team, message)
        if not mentioned and not is_dm and thread_agent is None:
            return  # a thread the bot is not part of
        request = parse_request(message.text, bot_user_id=self.bot_user_id)
        agent_id = request.agent_id or (thread_agent.id if thread_agent else None)
        agent = self.directory.get(agent_id or self.directory.default)
        if agent is None:
            await self._reply(
                message, _texts.unknown_agent(str(agent_id), self.directory.describe())
            )
            return
        if not request.prompt:
            await self._reply(message, _texts.EMPTY_PROMPT)
            return
        origin = SlackOrigin(
            team=team,
            channel=message.channel,
            thread_ts=message.thread_root,
            user=message.user,
            message_ts=message.ts,
        )
        await self.launcher.start(
            agent, request.prompt, origin, conversation=self._conversation(team, message)
        )

    def _conversation(self, team: str, message: MessageEvent) -> str:
        if message.channel_type == "im" and message.thread_ts is None:
            return conversation_id(team, message.channel, None)
        return conversation_id(team, message.channel, message.thread_root)

    async def _thread_agent(self, team: str, message: MessageEvent) -> Agent | None:
        """The agent of the thread's earlier runs, if the bot answered there before."""
        key = f"conversation:{self._conversation(team, message)}"
        runs = await self.polos.list_runs(concurrency_key=key, limit=1)
        return self.directory.get(runs[0].workflow_id) if runs else None

    async def _reply(self, message: MessageEvent, text: str) -> None:
        with contextlib.suppress(SlackApiError):
            await self.slack.chat_postMessage(
                channel=message.channel, thread_ts=message.thread_root, text=text
            )

    async def _on_stop(self, body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        user = str((body.get("user") or {}).get("id", ""))
        channel = str((body.get("container") or {}).get("channel_id", ""))
        try:
            run_id = parse_stop_value(action.get("value"))
        except MalformedPayloadError:
            return
        if not await self.approvals.may_decide(run_id, user):
            with contextlib.suppress(SlackApiError):
                await self.slack.chat_postEphemeral(
                    channel=channel, user=user, text=_texts.not_allowed("stop this run")
                )
            return
        await self.polos.cancel(run_id)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token, prepare the database and follow runs."""
        identity = await self.slack.auth_test()
        self.bot_user_id = str(identity["user_id"])
        await self.polos.migrate()
        await self.responder.start()

    async def connect_socket_mode(self) -> None:
        """Receive events over Socket Mode (no public URL needed)."""
        if not self.app_token:
            raise ValueError("Socket Mode needs an app-level token (SLACK_APP_TOKEN, xapp-...)")
        self._socket = AsyncSocketModeHandler(self.app, self.app_token)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]

    async def serve_http(self, *, host: str = "0.0.0.0", port: int = 3000) -> int:
        """Receive signed HTTP deliveries on ``/slack/events``; returns the bound port."""
        runner = web.AppRunner(self.app.web_app(path="/slack/events"))
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._http = runner
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        return int(sockets[0].getsockname()[1]) if sockets else port

    async def stop(self) -> None:
        """Disconnect from Slack and stop following runs."""
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._http is not None:
            await self._http.cleanup()
        await self.responder.stop()
