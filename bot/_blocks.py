"""Block Kit for approvals and answers: what is asked, who decided, Stop, and the deny modal.

Buttons carry :class:`ApprovalRef` (run id, step key, nonce) as compact JSON in their
``value``; anyone can forge a click, so :func:`parse_approval_value` rejects anything
malformed and the store still checks the nonce.

Example:
    ```python
    blocks = approval_blocks(ref, tool="exec", command="rm -rf build", requested_by="U1")
    await client.chat_postMessage(channel=c, thread_ts=t, text=approval_text(...), blocks=blocks)
    # in the action listener:
    ref = parse_approval_value(body["actions"][0]["value"])
    ```
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Block = dict[str, Any]

APPROVE_ACTION = "polos_approve"
DENY_ACTION = "polos_deny"
ALWAYS_ALLOW_ACTION = "polos_always_allow"
STOP_ACTION = "polos_stop"
DENY_MODAL_CALLBACK = "polos_deny_reason"
DENY_REASON_BLOCK = "deny_reason"
DENY_REASON_INPUT = "reason"

MAX_VALUE = 2_000  # Slack's limit for a button value
MAX_METADATA = 3_000  # Slack's limit for a view's private_metadata
_MAX_CODE = 2_500  # a section's text holds at most 3,000 characters
_MAX_REASON = 500


class MalformedPayloadError(ValueError):
    """A button value or modal submission that polos did not produce."""


class ApprovalRef(BaseModel):
    """Which suspension a button answers: carried in button values as ``{"r","s","n"}``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    run_id: str = Field(alias="r", min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    step_key: str = Field(alias="s", min_length=1, max_length=512, pattern=r"^[^\x00-\x1f]+$")
    nonce: str = Field(alias="n", min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_=+/.-]+$")

    def to_value(self) -> str:
        """The compact JSON put in a button's ``value``."""
        value = self.model_dump_json(by_alias=True)
        if len(value) > MAX_VALUE:
            raise ValueError("approval reference too long for a button value")
        return value


class _StopRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    r: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")


class DenySubmission(BaseModel):
    """A submitted deny-reason modal: which approval, where its message is, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: ApprovalRef
    channel: str = Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9]+$")
    message_ts: str = Field(min_length=1, max_length=32, pattern=r"^\d+\.\d+$")
    reason: str = ""


def parse_approval_value(value: object) -> ApprovalRef:
    """The :class:`ApprovalRef` in a button value; raises :class:`MalformedPayloadError`."""
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise MalformedPayloadError("not an approval button value")
    try:
        return ApprovalRef.model_validate_json(value)
    except ValidationError:
        raise MalformedPayloadError("not an approval button value") from None


def parse_stop_value(value: object) -> str:
    """The run id in a Stop button value; raises :class:`MalformedPayloadError`."""
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise MalformedPayloadError("not a stop button value")
    try:
        return _StopRef.model_validate_json(value).r
    except ValidationError:
        raise MalformedPayloadError("not a stop button value") from None


# -- text helpers ---------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code_block(text: str) -> str:
    if len(text) > _MAX_CODE:
        text = text[: _MAX_CODE - 1] + "\u2026"
    # A zero-width space keeps a ``` inside the command from closing the block.
    return "```\n" + _escape(text).replace("```", "`\u200b``") + "\n```"


def _plain(text: str, limit: int = 75) -> Block:
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": _plain(text), "action_id": action_id, "value": value}
    if style is not None:
        button["style"] = style
    return button


# -- approvals ------------------------------------------------------------------------------


def describe_request(data: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(tool, command, prompt) from an ``ApprovalRequested.data`` such as
    ``{"kind": "tool", "tool": "exec", "arguments": {"command": ...}, "prompt": ...}`` or
    a sandbox exec approval's ``{"kind": "exec", "tool": "host_exec", "command": ...}``."""
    tool = data.get("tool") if isinstance(data.get("tool"), str) else None
    prompt = data.get("prompt") if isinstance(data.get("prompt"), str) else None
    arguments = data.get("arguments")
    command: str | None = None
    if isinstance(data.get("command"), str):
        command = data["command"]
    elif isinstance(arguments, dict):
        cmd = arguments.get("command")
        command = cmd if isinstance(cmd, str) else json.dumps(arguments, indent=1)
    elif "data" in data:
        command = json.dumps(data["data"], indent=1, default=str)
    return tool, command, prompt


def approval_text(*, tool: str | None, requested_by: str | None) -> str:
    """The notification text of an approval message (shown where blocks are not)."""
    what = f"`{tool}`" if tool else "a step"
    who = f" for <@{requested_by}>" if requested_by else ""
    return f"Approval needed: {what}{who}"


def approval_blocks(
    ref: ApprovalRef,
    *,
    tool: str | None = None,
    command: str | None = None,
    prompt: str | None = None,
    requested_by: str | None = None,
    allow_always: bool | None = None,
) -> list[Block]:
    """The approval message: what is asked (the command in a code block, the tool, who
    asked), then Approve / Deny and, for ``exec`` (or when ``allow_always``), "Always
    allow in this thread"."""
    heading = f"*Approval needed* to run `{_escape(tool)}`" if tool else "*Approval needed*"
    blocks: list[Block] = [{"type": "section", "text": _mrkdwn(heading)}]
    if prompt:
        blocks.append({"type": "section", "text": _mrkdwn(_escape(prompt[:_MAX_CODE]))})
    if command:
        blocks.append({"type": "section", "text": _mrkdwn(_code_block(command))})
    if requested_by:
        context = f"Asked by the agent for <@{requested_by}>"
        blocks.append({"type": "context", "elements": [_mrkdwn(context)]})
    value = ref.to_value()
    buttons = [
        _button("Approve", APPROVE_ACTION, value, "primary"),
        _button("Deny", DENY_ACTION, value, "danger"),
    ]
    if allow_always if allow_always is not None else tool == "exec":
        buttons.append(_button("Always allow in this thread", ALWAYS_ALLOW_ACTION, value))
    blocks.append({"type": "actions", "block_id": "polos_approval", "elements": buttons})
    return blocks


def decided_text(*, approved: bool, by: str, reason: str | None = None) -> str:
    """ "Approved by <@U1>" or "Denied by <@U1>: reason"."""
    if approved:
        return f"Approved by <@{by}>"
    reason = (reason or "").strip()[:_MAX_REASON]
    return f"Denied by <@{by}>: {_escape(reason)}" if reason else f"Denied by <@{by}>"


def decided_blocks(
    *,
    approved: bool,
    by: str,
    reason: str | None = None,
    tool: str | None = None,
    command: str | None = None,
    always: bool = False,
) -> list[Block]:
    """The approval message once decided: what was asked and who decided, without buttons."""
    mark = "\u2705" if approved else "\u26d4"
    decision = decided_text(approved=approved, by=by, reason=reason)
    if approved and always:
        decision += " (always allowed in this thread)"
    blocks: list[Block] = [{"type": "section", "text": _mrkdwn(f"{mark} {decision}")}]
    if command:
        blocks.append({"type": "section", "text": _mrkdwn(_code_block(command))})
    if tool:
        blocks.append({"type": "context", "elements": [_mrkdwn(f"tool `{_escape(tool)}`")]})
    return blocks


# -- Stop -------------------------------------------------------------------------------------


def stop_blocks(run_id: str) -> list[Block]:
    """A Stop button for an answer that is still being written."""
    value = _StopRef(r=run_id).model_dump_json()
    return [
        {
            "type": "actions",
            "block_id": "polos_stop",
            "elements": [_button("Stop", STOP_ACTION, value, "danger")],
        }
    ]


# -- the deny-reason modal ---------------------------------------------------------------------


def deny_reason_modal(ref: ApprovalRef, *, channel: str, message_ts: str) -> dict[str, Any]:
    """The ``view`` for views.open: asks why, remembers which approval and message."""
    metadata = json.dumps(
        {"ref": ref.model_dump(by_alias=True), "channel": channel, "message_ts": message_ts},
        separators=(",", ":"),
    )
    if len(metadata) > MAX_METADATA:
        raise ValueError("approval reference too long for a modal's private_metadata")
    return {
        "type": "modal",
        "callback_id": DENY_MODAL_CALLBACK,
        "private_metadata": metadata,
        "title": _plain("Deny"),
        "submit": _plain("Deny"),
        "close": _plain("Cancel"),
        "blocks": [
            {
                "type": "input",
                "block_id": DENY_REASON_BLOCK,
                "optional": True,
                "label": _plain("Why? The agent will see this."),
                "element": {
                    "type": "plain_text_input",
                    "action_id": DENY_REASON_INPUT,
                    "multiline": True,
                    "max_length": _MAX_REASON,
                },
            }
        ],
    }


def parse_deny_submission(view: object) -> DenySubmission:
    """What a submitted :func:`deny_reason_modal` says; raises :class:`MalformedPayloadError`."""
    if not isinstance(view, dict) or view.get("callback_id") != DENY_MODAL_CALLBACK:
        raise MalformedPayloadError("not a deny-reason modal")
    metadata = view.get("private_metadata")
    if not isinstance(metadata, str) or len(metadata) > MAX_METADATA:
        raise MalformedPayloadError("deny-reason modal without its metadata")
    try:
        fields = json.loads(metadata)
        state = view.get("state", {}).get("values", {})
        entry = state.get(DENY_REASON_BLOCK, {}).get(DENY_REASON_INPUT, {})
        reason = entry.get("value") or ""
        if not isinstance(fields, dict) or not isinstance(reason, str):
            raise MalformedPayloadError("malformed deny-reason modal")
        return DenySubmission.model_validate({**fields, "reason": reason.strip()[:_MAX_REASON]})
    except MalformedPayloadError:
        raise
    except (ValueError, AttributeError):  # pydantic's ValidationError is a ValueError
        raise MalformedPayloadError("malformed deny-reason modal") from None
