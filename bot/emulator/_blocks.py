"""Block Kit checks: the subset of Slack's validation that catches malformed blocks.

Slack answers ``invalid_blocks`` (with an ``errors`` list) when a block is malformed and
fills in ``block_id`` and ``action_id`` when they are missing; so does this module.
"""

from __future__ import annotations

import json
from typing import Any

from ._errors import SlackApiFailure
from ._ids import random_id

Json = dict[str, Any]

MAX_BLOCKS = 50
_TEXT_TYPES = {"plain_text", "mrkdwn"}
_BLOCK_TYPES = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "video",
    "context_actions",
    "table",
}
_INTERACTIVE = {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "multi_static_select",
    "number_input",
    "overflow",
    "plain_text_input",
    "radio_buttons",
    "static_select",
    "timepicker",
    "url_text_input",
    "users_select",
    "conversations_select",
    "channels_select",
    "external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "multi_external_select",
    "rich_text_input",
}


def parse_blocks(raw: Any) -> list[Json] | None:
    """Blocks from a JSON string or a list; ``None`` when absent. Raises ``invalid_blocks``."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise SlackApiFailure("invalid_blocks_format") from None
    if not isinstance(raw, list):
        raise SlackApiFailure("invalid_blocks_format")
    errors: list[str] = []
    if len(raw) > MAX_BLOCKS:
        errors.append(f"no more than {MAX_BLOCKS} items allowed [json-pointer:/blocks]")
    blocks: list[Json] = []
    for index, block in enumerate(raw):
        errors.extend(_check_block(block, f"/blocks/{index}"))
        if isinstance(block, dict):
            blocks.append(block)
    if errors:
        raise SlackApiFailure(
            "invalid_blocks",
            extra={"errors": errors, "response_metadata": {"messages": errors}},
        )
    for block in blocks:
        _fill_ids(block)
    return blocks


def _check_text(obj: Any, where: str, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"must be a text object [json-pointer:{where}]"]
    allowed = {"plain_text"} if plain_only else _TEXT_TYPES
    if obj.get("type") not in allowed:
        return [f"must be one of {sorted(allowed)} [json-pointer:{where}/type]"]
    if not isinstance(obj.get("text"), str) or not obj["text"]:
        return [f"must be a non-empty string [json-pointer:{where}/text]"]
    return []


def _check_element(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        return [f"must be an element with a type [json-pointer:{where}]"]
    if element["type"] == "button":
        errors = _check_text(element.get("text"), f"{where}/text", plain_only=True)
        if "value" in element and not isinstance(element["value"], str):
            errors.append(f"must be a string [json-pointer:{where}/value]")
        return errors
    if element["type"] not in _INTERACTIVE | {"image", "mrkdwn", "plain_text"}:
        return [f"unsupported type [json-pointer:{where}/type]"]
    return []


def _check_block(block: Any, where: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"must be an object [json-pointer:{where}]"]
    kind = block.get("type")
    if kind not in _BLOCK_TYPES:
        return [f"unsupported type [json-pointer:{where}/type]"]
    block_id = block.get("block_id")
    if block_id is not None and (not isinstance(block_id, str) or len(block_id) > 255):
        return [f"must be a string of at most 255 characters [json-pointer:{where}/block_id]"]
    if kind == "section":
        has_text = "text" in block
        errors = _check_text(block["text"], f"{where}/text") if has_text else []
        fields = block.get("fields")
        if fields is not None:
            if not isinstance(fields, list):
                return [f"must be an array [json-pointer:{where}/fields]"]
            for i, f in enumerate(fields):
                errors.extend(_check_text(f, f"{where}/fields/{i}"))
        if not has_text and not fields:
            errors.append(f"must provide text or fields [json-pointer:{where}]")
        if "accessory" in block:
            errors.extend(_check_element(block["accessory"], f"{where}/accessory"))
        return errors
    if kind == "header":
        return _check_text(block.get("text"), f"{where}/text", plain_only=True)
    if kind in ("actions", "context"):
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            return [f"must be a non-empty array [json-pointer:{where}/elements]"]
        errors = []
        for i, element in enumerate(elements):
            if (
                kind == "context"
                and isinstance(element, dict)
                and element.get("type")
                in (
                    "mrkdwn",
                    "plain_text",
                )
            ):
                errors.extend(_check_text(element, f"{where}/elements/{i}"))
            else:
                errors.extend(_check_element(element, f"{where}/elements/{i}"))
        return errors
    if kind == "markdown" and not isinstance(block.get("text"), str):
        return [f"must be a string [json-pointer:{where}/text]"]
    if kind == "input":
        errors = _check_text(block.get("label"), f"{where}/label", plain_only=True)
        return errors + _check_element(block.get("element"), f"{where}/element")
    return []


def _fill_ids(block: Json) -> None:
    block.setdefault("block_id", random_id("", 5))
    elements: list[Any] = []
    if block.get("type") == "actions":
        elements = list(block.get("elements", []))
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            elements.append(block[key])
    for element in elements:
        if isinstance(element, dict) and element.get("type") in _INTERACTIVE:
            element.setdefault("action_id", random_id("", 5))


def find_action(blocks: list[Json] | None, action_id: str) -> tuple[str, Json] | None:
    """The block id and element with ``action_id`` in ``blocks``, if any."""
    for block in blocks or []:
        candidates: list[Any] = (
            list(block.get("elements", [])) if block.get("type") == "actions" else []
        )
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    return None
