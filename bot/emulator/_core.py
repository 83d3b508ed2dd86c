"""The emulator's heart: one workspace, its delivery to the app, and what people do in it.

The Web API, the browser page and the Python driver all act through :class:`EmulatorCore`.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ._blocks import find_action, parse_blocks
from ._config import WorkspaceConfig
from ._delivery import Delivery, Dispatcher
from ._errors import SlackApiFailure
from ._events import (
    app_mention_event,
    block_actions,
    event_callback,
    message_event,
    slash_command,
    view_submission,
)
from ._http_delivery import HttpDelivery
from ._rate_limits import Faults, RateLimiter
from ._socket_mode import SocketModeServer
from ._state import Message, View, Workspace

Json = dict[str, Any]
logger = logging.getLogger(__name__)


@dataclass
class ResponseTarget:
    """Where a ``response_url`` posts: the conversation, the user, the source message."""

    channel: str
    user: str
    message_ts: str | None
    thread_ts: str | None
    default: Literal["ephemeral", "in_channel"] = "ephemeral"


class EmulatorCore:
    """State plus behaviour of one emulated workspace."""

    def __init__(self, config: WorkspaceConfig) -> None:
        self.config = config
        self.workspace = Workspace(config)
        self.limiter = RateLimiter(config.rate_limits)
        self.faults = Faults()
        self.base_url = ""
        self.dispatcher = Dispatcher(ack_timeout=config.ack_timeout, max_retries=config.max_retries)
        self.sockets = SocketModeServer(app_id=config.app_id, faults=self.faults)
        self.http = HttpDelivery(self._http_settings)
        self.response_targets: dict[str, ResponseTarget] = {}
        self.use_delivery(config.delivery, config.request_url)

    def _http_settings(self) -> tuple[str, str, float]:
        cfg = self.config
        return cfg.request_url or "", cfg.signing_secret, cfg.signature_clock_skew

    def use_delivery(self, mode: Literal["socket", "http"], request_url: str | None) -> None:
        """Switch between Socket Mode and HTTP delivery."""
        self.config = self.config.model_copy(update={"delivery": mode, "request_url": request_url})
        self.workspace.config = self.config
        self.dispatcher.transport = self.sockets if mode == "socket" else self.http

    def update_config(self, **changes: Any) -> None:
        """Replace configuration values at run time (validated like the original).

        People, channels and the bot's identity are fixed when the workspace is built.
        """
        fixed = {"users", "channels", "team_id", "bot_user_id", "bot_id", "app_id"}
        if fixed & changes.keys():
            raise ValueError(f"cannot change {sorted(fixed & changes.keys())} at run time")
        merged = self.config.model_dump() | changes
        self.config = WorkspaceConfig.model_validate(merged)
        self.workspace.config = self.config
        self.dispatcher.ack_timeout = self.config.ack_timeout
        self.dispatcher.max_retries = self.config.max_retries
        self.limiter.limits = dict(self.config.rate_limits)

    # -- events -------------------------------------------------------------------------

    def announce(self, msg: Message) -> list[Delivery]:
        """Send the events Slack sends for a new message."""
        ws = self.workspace
        conv = ws.conversations[msg.channel]
        sent: list[Delivery] = []
        if self.config.bot_user_id not in conv.members:
            return sent
        mention = f"<@{self.config.bot_user_id}>"
        if not msg.bot_id and conv.type != "im" and mention in msg.text:
            event = app_mention_event(ws, msg, conv)
            sent.append(self.dispatcher.send("events_api", event_callback(ws, event)))
        event = message_event(ws, msg, conv)
        sent.append(self.dispatcher.send("events_api", event_callback(ws, event)))
        return sent

    # -- what people do -----------------------------------------------------------------

    def post_as_user(
        self, *, user: str, channel: str, text: str, thread_ts: str | None = None
    ) -> Message:
        """A person posts ``text``; the app receives the matching events."""
        ws = self.workspace
        person = ws.user(user)
        if person.is_bot:
            raise SlackApiFailure("cannot_post_as_bot")
        conv = ws.conversation(channel)
        if person.id not in conv.members:
            raise SlackApiFailure("not_in_channel")
        if not text.strip():
            raise SlackApiFailure("no_text")
        msg = ws.add_message(conv, user=person.id, text=text, thread_ts=thread_ts)
        self.announce(msg)
        return msg

    def _response_url(self, target: ResponseTarget) -> str:
        key = secrets.token_hex(12)
        self.response_targets[key] = target
        return f"{self.base_url}/response/{key}"

    def click(
        self, *, user: str, channel: str, message_ts: str, action_id: str, value: str | None
    ) -> Delivery:
        """A person clicks the element ``action_id`` in a message (ephemeral ones included)."""
        ws = self.workspace
        person = ws.user(user)
        conv = ws.conversation(channel)
        msg = ws.messages[conv.id].get(message_ts) or ws.find_ephemeral(conv.id, message_ts)
        if msg is None or (msg.ephemeral_for not in (None, person.id)):
            raise SlackApiFailure("message_not_found")
        found = find_action(msg.blocks, action_id)
        if found is None:
            raise SlackApiFailure("action_not_found")
        block_id, element = found
        target = ResponseTarget(conv.id, person.id, msg.ts, msg.thread_ts)
        payload = block_actions(
            ws,
            user=person,
            msg=msg,
            conv=conv,
            block_id=block_id,
            element=element,
            value=value if value is not None else element.get("value"),
            trigger_id=ws.new_trigger(person.id),
            response_url=self._response_url(target),
        )
        return self.dispatcher.send("interactive", payload)

    def run_command(self, *, user: str, channel: str, command: str, text: str) -> Delivery:
        """A person runs a slash command; the app's ack body is shown as Slack shows it."""
        ws = self.workspace
        person = ws.user(user)
        conv = ws.conversation(channel)
        if not re.fullmatch(r"/[\w-]{1,31}", command):
            raise SlackApiFailure("invalid_command")
        target = ResponseTarget(conv.id, person.id, None, None)
        form = slash_command(
            ws,
            user=person,
            conv=conv,
            command=command,
            text=text,
            trigger_id=ws.new_trigger(person.id),
            response_url=self._response_url(target),
        )
        delivery = self.dispatcher.send("slash_commands", form)
        self._after(delivery, lambda response: self.respond(target, response))
        return delivery

    def submit_view(self, *, user: str, view_id: str, values: Json) -> Delivery:
        """A person submits an open modal with input ``values`` (Slack's state.values)."""
        ws = self.workspace
        person = ws.user(user)
        view = ws.views.get(view_id)
        if view is None or view.closed or view.user != person.id:
            raise SlackApiFailure("view_not_found")
        delivery = self.dispatcher.send(
            "interactive", view_submission(ws, user=person, view=view, values=values)
        )
        self._after(delivery, lambda response: self._apply_view_response(view, response))
        return delivery

    def _apply_view_response(self, view: View, response: Json | None) -> None:
        action = (response or {}).get("response_action")
        if action == "errors" and isinstance(response, dict):
            errors = response.get("errors")
            view.errors = {str(k): str(v) for k, v in (errors or {}).items()}
        elif action in ("update", "push") and isinstance(response, dict):
            view.body = dict(response.get("view") or view.body)
            view.errors = {}
        else:
            view.closed = True
        self.workspace.touch()

    def _after(self, delivery: Delivery, then: Callable[[Json | None], None]) -> None:
        async def wait() -> None:
            await delivery.done.wait()
            if not delivery.acked:
                return
            try:
                then(delivery.response)
            except SlackApiFailure as failure:
                # Slack shows the person an error; the emulator can only log it.
                logger.warning("the app's response was refused: %s", failure.error)

        self.dispatcher.spawn(wait())

    async def verify_request_url(self) -> bool:
        """Send a ``url_verification`` challenge over HTTP; whether it was echoed."""
        challenge = secrets.token_urlsafe(24)
        payload = {"token": self.config.verification_token, "challenge": challenge}
        delivery = Delivery("events_api", {**payload, "type": "url_verification"}, "")
        result = await self.http.attempt(delivery, 0, self.config.ack_timeout)
        return result.outcome == "acked" and (result.response or {}).get("challenge") == challenge

    # -- response_url and command acks --------------------------------------------------

    def respond(self, target: ResponseTarget, body: Json | None) -> None:
        """Apply a ``response_url`` post (or a command's ack body) as Slack does."""
        if not body:
            return
        ws = self.workspace
        conv = ws.conversations[target.channel]
        blocks = parse_blocks(body.get("blocks"))
        text = str(body.get("text") or "")
        source = None
        if target.message_ts:
            source = ws.messages[conv.id].get(target.message_ts) or ws.find_ephemeral(
                conv.id, target.message_ts
            )
        if body.get("delete_original") and source is not None:
            ws.delete_message(source)
            return
        if body.get("replace_original") and source is not None:
            source.text, source.blocks = text, blocks
            ws.touch()
            return
        kind = body.get("response_type") or target.default
        thread_ts = body.get("thread_ts") or target.thread_ts
        if kind == "in_channel":
            msg = ws.add_message(
                conv,
                user=self.config.bot_user_id,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                bot=True,
            )
            self.announce(msg)
        else:
            ws.add_ephemeral(
                conv, for_user=target.user, text=text, blocks=blocks, thread_ts=thread_ts
            )

    async def close(self) -> None:
        """Stop deliveries and close connections."""
        await self.dispatcher.close()
        await self.sockets.close()
        await self.http.close()
