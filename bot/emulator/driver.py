"""The Python driver: start an emulated workspace, act in it as people, read what they see.

Example:
    ```python
    async with SlackEmulator() as slack:
        client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
        ts = await slack.post_message(f"<@{slack.bot_user_id}> hi")
        reply = await slack.wait_for_reply(slack.default_channel, ts)
    ```
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal, TypeVar

from ._config import WorkspaceConfig
from ._core import EmulatorCore
from ._delivery import Delivery
from ._seen import OpenView, SeenMessage
from ._server import EmulatorServer

T = TypeVar("T")
Json = dict[str, Any]


class SlackEmulator:
    """One emulated Slack workspace on a free port of 127.0.0.1.

    Args:
        config: the workspace; ``WorkspaceConfig()`` when omitted.
        host: the address to listen on.
        port: the port; 0 picks a free one.
        **overrides: fields of :class:`WorkspaceConfig` to change (e.g. ``ack_timeout=0.5``).
    """

    def __init__(
        self,
        config: WorkspaceConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        **overrides: Any,
    ) -> None:
        base = config or WorkspaceConfig()
        if overrides:
            base = WorkspaceConfig.model_validate(base.model_dump() | overrides)
        self._core = EmulatorCore(base)
        self._server = EmulatorServer(self._core)
        self._host = host
        self._port = port

    # -- life cycle -------------------------------------------------------------------

    async def start(self) -> SlackEmulator:
        """Start listening; returns ``self``."""
        self._port = await self._server.start(self._host, self._port)
        return self

    async def stop(self) -> None:
        """Stop deliveries, close sockets and stop listening."""
        await self._server.stop()

    async def __aenter__(self) -> SlackEmulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- addresses and identities -----------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:PORT`` (the page is served at ``/``)."""
        return self._core.base_url

    @property
    def api_url(self) -> str:
        """The Web API base URL for ``AsyncWebClient(base_url=...)``."""
        return f"{self._core.base_url}/api/"

    @property
    def config(self) -> WorkspaceConfig:
        """The current configuration."""
        return self._core.config

    @property
    def bot_token(self) -> str:
        """The bot token (``xoxb-...``)."""
        return self.config.bot_token

    @property
    def app_token(self) -> str:
        """The app-level token (``xapp-...``) for Socket Mode."""
        return self.config.app_token

    @property
    def signing_secret(self) -> str:
        """The signing secret of HTTP deliveries."""
        return self.config.signing_secret

    @property
    def team_id(self) -> str:
        """The workspace id."""
        return self.config.team_id

    @property
    def bot_user_id(self) -> str:
        """The bot's user id (mention it as ``<@...>``)."""
        return self.config.bot_user_id

    @property
    def default_user(self) -> str:
        """The first configured person, used when a method is not told who acts."""
        return self.config.users[0].id

    @property
    def default_channel(self) -> str:
        """The first configured channel."""
        return self.config.channels[0].id

    def dm_channel(self, user: str) -> str:
        """The id of the DM between ``user`` and the bot."""
        return self._core.workspace.conversation(user).id

    # -- configuration ------------------------------------------------------------------

    def configure(self, **changes: Any) -> None:
        """Change configuration at run time (e.g. ``ack_timeout``, ``signing_secret``)."""
        self._core.update_config(**changes)

    def use_socket_mode(self) -> None:
        """Deliver to Socket Mode clients."""
        self._core.use_delivery("socket", None)

    def use_http(self, request_url: str) -> None:
        """Deliver by signed HTTP POSTs to ``request_url``."""
        self._core.use_delivery("http", request_url)

    # -- what people do -----------------------------------------------------------------

    async def post_message(
        self,
        text: str,
        *,
        user: str | None = None,
        channel: str | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """Post ``text`` as a person (in a channel, a thread, or a DM given a user id as
        ``channel``); the app receives the events. Returns the new message's ts."""
        msg = self._core.post_as_user(
            user=user or self.default_user,
            channel=channel or self.default_channel,
            text=text,
            thread_ts=thread_ts,
        )
        return msg.ts

    async def click_button(
        self,
        *,
        channel: str,
        message_ts: str,
        action_id: str,
        user: str | None = None,
        value: str | None = None,
    ) -> Delivery:
        """Click the element ``action_id`` of a message; returns the delivery (not awaited)."""
        return self._core.click(
            user=user or self.default_user,
            channel=channel,
            message_ts=message_ts,
            action_id=action_id,
            value=value,
        )

    async def run_command(
        self, command: str, text: str = "", *, user: str | None = None, channel: str | None = None
    ) -> Delivery:
        """Run a slash command such as ``/polos status``; returns the delivery."""
        return self._core.run_command(
            user=user or self.default_user,
            channel=channel or self.default_channel,
            command=command,
            text=text,
        )

    async def submit_view(
        self, view_id: str, values: Json | None = None, *, user: str | None = None
    ) -> Delivery:
        """Submit an open modal; ``values`` is Slack's ``state.values`` mapping."""
        view = self._core.workspace.views.get(view_id)
        return self._core.submit_view(
            user=user or (view.user if view else self.default_user),
            view_id=view_id,
            values=values or {},
        )

    # -- what people see ----------------------------------------------------------------

    def thread(self, channel: str, ts: str, *, as_user: str | None = None) -> list[SeenMessage]:
        """The thread of ``ts``: parent first, then replies, oldest first.

        With ``as_user``, the ephemeral messages that user sees in the thread are included.
        """
        messages = self._core.workspace.thread(channel, ts)
        if as_user is not None:
            root = messages[0].ts
            messages += [
                m
                for m in self._core.workspace.ephemerals
                if m.ephemeral_for == as_user and m.channel == channel and m.thread_ts == root
            ]
            messages.sort(key=lambda m: m.ts)
        return [SeenMessage.of(m) for m in messages]

    def history(self, channel: str) -> list[SeenMessage]:
        """Top-level messages of a conversation, oldest first."""
        return [SeenMessage.of(m) for m in reversed(self._core.workspace.history(channel))]

    def ephemerals(self, user: str, channel: str | None = None) -> list[SeenMessage]:
        """Ephemeral messages only ``user`` sees (in ``channel`` when given)."""
        return [
            SeenMessage.of(m)
            for m in self._core.workspace.ephemerals
            if m.ephemeral_for == user and (channel is None or m.channel == channel)
        ]

    def open_views(self, user: str | None = None) -> list[OpenView]:
        """Modals currently open (for ``user`` when given)."""
        return [
            OpenView(v.id, v.user, str(v.body.get("callback_id", "")), dict(v.body), dict(v.errors))
            for v in self._core.workspace.views.values()
            if not v.closed and v.body.get("type") == "modal" and user in (None, v.user)
        ]

    def assistant_status(self, channel: str, thread_ts: str) -> str:
        """The status last set with assistant.threads.setStatus ("" when none)."""
        return self._core.workspace.statuses.get((channel, thread_ts), "")

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery to the app so far, with its attempts."""
        return list(self._core.dispatcher.deliveries)

    @property
    def api_calls(self) -> list[tuple[str, Json]]:
        """Every Web API call so far: (method, arguments)."""
        return list(self._server.web_api.calls)

    @property
    def socket_hellos(self) -> int:
        """How many Socket Mode connections were greeted with ``hello`` so far."""
        return self._core.sockets.hello_count

    # -- waiting --------------------------------------------------------------------------

    async def wait_until(self, check: Callable[[], T | None], *, timeout: float = 10.0) -> T:
        """Wait until ``check()`` returns something truthy (re-checked on every change)."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            await self._core.workspace.changed(min(remaining, 0.1))

    async def wait_for_reply(
        self,
        channel: str,
        thread_ts: str,
        predicate: Callable[[SeenMessage], bool] | None = None,
        *,
        timeout: float = 10.0,
    ) -> SeenMessage:
        """The first reply in the thread of ``thread_ts`` that matches ``predicate``."""

        def check() -> SeenMessage | None:
            for msg in self.thread(channel, thread_ts)[1:]:
                if predicate is None or predicate(msg):
                    return msg
            return None

        return await self.wait_until(check, timeout=timeout)

    async def wait_for_message(
        self,
        channel: str,
        predicate: Callable[[SeenMessage], bool],
        *,
        timeout: float = 10.0,
    ) -> SeenMessage:
        """The first top-level message of ``channel`` that matches ``predicate``."""

        def check() -> SeenMessage | None:
            return next((m for m in self.history(channel) if predicate(m)), None)

        return await self.wait_until(check, timeout=timeout)

    async def verify_request_url(self) -> bool:
        """Send Slack's ``url_verification`` challenge to the request URL (HTTP delivery);
        whether the app echoed the challenge back."""
        return await self._core.verify_request_url()

    async def wait_connected(self, timeout: float = 10.0) -> None:
        """Wait until a Socket Mode client is connected."""
        if not await self._core.sockets.wait_connected(timeout):
            raise TimeoutError(f"no Socket Mode client within {timeout} s")

    async def wait_delivered(self, delivery: Delivery, timeout: float = 10.0) -> Delivery:
        """Wait until ``delivery`` is acked or given up."""
        await asyncio.wait_for(delivery.done.wait(), timeout)
        return delivery

    # -- faults -----------------------------------------------------------------------------

    def fail_method(
        self, method: str, *, status: int = 429, times: int = 1, retry_after: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with HTTP ``status``."""
        self._core.faults.fail_method(method, status=status, times=times, retry_after=retry_after)

    def drop_acks(self, count: int = 1) -> None:
        """Ignore the next ``count`` Socket Mode acks (the envelopes are then redelivered)."""
        self._core.faults.dropped_acks += count

    def expire_streams(self) -> None:
        """End every open stream as Slack does after idling too long."""
        for messages in self._core.workspace.messages.values():
            for msg in messages.values():
                if msg.streaming:
                    msg.stream_touched = float("-inf")

    async def disconnect_socket_clients(self, reason: str = "refresh_requested") -> int:
        """Send ``disconnect`` to every Socket Mode client; returns how many were asked."""
        return await self._core.sockets.disconnect(reason)

    def set_rate_limit(
        self, method: str, *, per_minute: float, burst: int, scope: Literal["workspace", "channel"]
    ) -> None:
        """Change the budget of ``method``."""
        limits = {k: v.model_dump() for k, v in self.config.rate_limits.items()}
        limits[method] = {"per_minute": per_minute, "burst": burst, "scope": scope}
        self._core.update_config(rate_limits=limits)
