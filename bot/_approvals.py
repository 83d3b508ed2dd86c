"""Approvals in Slack: the message with Approve / Deny buttons, and deciding on a click.

Button values carry the run, the step and the suspension's nonce; the store checks the nonce
and lets the first decision win. Only the person who asked, or a configured approver, may
decide; anyone else gets an ephemeral refusal.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from agents import ApprovalRequested, PolosClient
from bot import _texts
from bot._blocks import (
    ApprovalRef,
    MalformedPayloadError,
    approval_blocks,
    approval_text,
    decided_blocks,
    decided_text,
    deny_reason_modal,
    describe_request,
    parse_approval_value,
    parse_deny_submission,
)
from bot._launcher import SlackOrigin

log = logging.getLogger("polos.bot")


class Approvals:
    """Posts approval requests and applies decisions."""

    def __init__(
        self, polos: PolosClient, slack: AsyncWebClient, *, approvers: Collection[str]
    ) -> None:
        self.polos = polos
        self.slack = slack
        self.approvers = frozenset(approvers)

    async def post(self, origin: SlackOrigin, request: ApprovalRequested) -> None:
        """Show what is asked in the run's thread, with the buttons ("Always allow in this
        thread" for shell commands, which the sandbox can remember)."""
        tool, command, prompt = describe_request(request.data)
        ref = ApprovalRef(r=request.run_id, s=request.step_key, n=request.nonce)
        await self.slack.chat_postMessage(
            channel=origin.channel,
            thread_ts=origin.thread_ts,
            text=approval_text(tool=tool, requested_by=origin.user),
            blocks=approval_blocks(
                ref,
                tool=tool,
                command=command,
                prompt=prompt,
                requested_by=origin.user,
                allow_always="always_allow_key" in request.data,
            ),
        )

    async def may_decide(self, run_id: str, user: str) -> bool:
        """The person who asked, or a configured approver."""
        if user in self.approvers:
            return True
        run = await self.polos.get_run(run_id)
        origin = SlackOrigin.of(run.metadata) if run is not None else None
        return origin is not None and origin.user == user

    async def on_button(
        self, body: dict[str, Any], *, approved: bool, always: bool = False
    ) -> None:
        """Approve (or "always allow") from a button click."""
        action = (body.get("actions") or [{}])[0]
        user, channel, message_ts = _who_and_where(body)
        try:
            ref = parse_approval_value(action.get("value"))
        except MalformedPayloadError:
            log.warning("ignored an approval click with a malformed value")
            return
        await self._decide(ref, user, channel, message_ts, approved=approved, always=always)

    async def on_deny_click(self, body: dict[str, Any]) -> None:
        """Deny: ask why in a modal (the reason reaches the agent)."""
        action = (body.get("actions") or [{}])[0]
        user, channel, message_ts = _who_and_where(body)
        try:
            ref = parse_approval_value(action.get("value"))
        except MalformedPayloadError:
            log.warning("ignored a deny click with a malformed value")
            return
        if not await self.may_decide(ref.run_id, user):
            await self._refuse(channel, user, "approve or deny this")
            return
        trigger = body.get("trigger_id")
        if not isinstance(trigger, str):
            await self._decide(ref, user, channel, message_ts, approved=False)
            return
        await self.slack.views_open(
            trigger_id=trigger,
            view=deny_reason_modal(ref, channel=channel, message_ts=message_ts),
        )

    async def on_deny_submission(self, body: dict[str, Any]) -> None:
        """The deny modal was submitted."""
        user = str((body.get("user") or {}).get("id", ""))
        try:
            submission = parse_deny_submission(body.get("view"))
        except MalformedPayloadError:
            log.warning("ignored a malformed deny submission")
            return
        await self._decide(
            submission.ref,
            user,
            submission.channel,
            submission.message_ts,
            approved=False,
            reason=submission.reason,
        )

    async def _decide(
        self,
        ref: ApprovalRef,
        user: str,
        channel: str,
        message_ts: str,
        *,
        approved: bool,
        always: bool = False,
        reason: str | None = None,
    ) -> None:
        if not await self.may_decide(ref.run_id, user):
            await self._refuse(channel, user, "approve or deny this")
            return
        suspension = await self.polos.get_suspension(ref.run_id, ref.step_key)
        answer = {"approved": approved, "always": always, "reason": reason or None}
        if not await self.polos.resume(ref.run_id, ref.step_key, answer, by=user, nonce=ref.nonce):
            await self._refuse(channel, user, None)
            return
        data = (
            suspension.data if suspension is not None and isinstance(suspension.data, dict) else {}
        )
        tool, command, _ = describe_request(data)
        with contextlib.suppress(SlackApiError):
            await self.slack.chat_update(
                channel=channel,
                ts=message_ts,
                text=decided_text(approved=approved, by=user, reason=reason),
                blocks=decided_blocks(
                    approved=approved,
                    by=user,
                    reason=reason,
                    tool=tool,
                    command=command,
                    always=always,
                ),
            )

    async def _refuse(self, channel: str, user: str, action: str | None) -> None:
        text = _texts.not_allowed(action) if action else _texts.no_longer_pending()
        with contextlib.suppress(SlackApiError):
            await self.slack.chat_postEphemeral(channel=channel, user=user, text=text)


def _who_and_where(body: dict[str, Any]) -> tuple[str, str, str]:
    user = str((body.get("user") or {}).get("id", ""))
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id", ""))
    message_ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts", ""))
    return user, channel, message_ts
