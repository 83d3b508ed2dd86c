"""The Web API: ``/api/<method>`` with form, query or JSON arguments, Slack's auth and errors.

Method handlers live in ``_methods_chat.py`` and ``_methods_other.py``; this module parses
arguments, checks the token, applies injected faults and rate limits, and shapes errors.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from ._core import EmulatorCore
from ._errors import SlackApiFailure

Json = dict[str, Any]
logger = logging.getLogger(__name__)


class Args:
    """The arguments of one call, whatever way they were sent."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)

    def raw(self, name: str) -> Any:
        """The value as sent (a string from a form, anything from JSON)."""
        return self.values.get(name)

    def string(self, name: str, *, required: bool = False, error: str = "invalid_arguments") -> str:
        """A string argument; ``""`` when absent, or ``error`` when it is required."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise SlackApiFailure(error)
            return ""
        if isinstance(value, dict | list):
            raise SlackApiFailure("invalid_arguments")
        return value if isinstance(value, str) else json.dumps(value)

    def parsed(self, name: str) -> Any:
        """A JSON-valued argument sent either as JSON or as a JSON-encoded string."""
        value = self.values.get(name)
        if isinstance(value, str) and value:
            try:
                return json.loads(value)
            except ValueError:
                raise SlackApiFailure("invalid_arguments") from None
        return value

    def number(self, name: str, default: int) -> int:
        """An integer argument."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SlackApiFailure("invalid_arguments") from None

    def flag(self, name: str) -> bool:
        """A boolean argument (``true``/``1`` or JSON ``true``)."""
        value = self.values.get(name)
        return value is True or (isinstance(value, str) and value.lower() in ("1", "true"))


Handler = Callable[[EmulatorCore, Args], Awaitable[Json]]
APP_TOKEN_METHODS = {"apps.connections.open"}
NO_AUTH_METHODS = {"api.test"}


class WebApi:
    """Routes ``/api/<method>`` to handlers."""

    def __init__(self, core: EmulatorCore, methods: Mapping[str, Handler]) -> None:
        self.core = core
        self.methods = dict(methods)
        self.calls: list[tuple[str, Json]] = []

    def routes(self) -> list[web.RouteDef]:
        """The aiohttp routes of the Web API."""
        return [web.route("*", "/api/{method}", self._handle)]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            args = await _read_args(request)
            self.calls.append((method, dict(args.values)))
            body = await self._call(method, args, request.headers.get("Authorization", ""))
            return web.json_response({"ok": True, **body})
        except SlackApiFailure as failure:
            return web.json_response(failure.body(), status=failure.status, headers=failure.headers)
        except ValidationError:
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        except Exception:
            logger.exception("emulator: %s failed", method)
            return web.json_response({"ok": False, "error": "fatal_error"})

    async def _call(self, method: str, args: Args, authorization: str) -> Json:
        handler = self.methods.get(method)
        if handler is None:
            raise SlackApiFailure("unknown_method", status=404)
        if method not in NO_AUTH_METHODS:
            self._authenticate(method, args, authorization)
        self.core.faults.check(method)
        self.core.limiter.check(method, self._channel_key(args))
        return await handler(self.core, args)

    def _channel_key(self, args: Args) -> str:
        # "#general" and "C0GENERAL1" must share one per-channel budget.
        ref = args.raw("channel") or args.raw("channel_id")
        if not isinstance(ref, str):
            return ""
        try:
            return self.core.workspace.conversation(ref).id
        except SlackApiFailure:
            return ref

    def _authenticate(self, method: str, args: Args, authorization: str) -> None:
        token = authorization.removeprefix("Bearer ").strip() or args.string("token")
        if not token:
            raise SlackApiFailure("not_authed")
        cfg = self.core.config
        if token not in (cfg.bot_token, cfg.app_token):
            raise SlackApiFailure("invalid_auth")
        wants_app_token = method in APP_TOKEN_METHODS
        if (token == cfg.app_token) != wants_app_token:
            raise SlackApiFailure("not_allowed_token_type")


async def _read_args(request: web.Request) -> Args:
    values: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return Args(values)
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise SlackApiFailure("invalid_json") from None
        if not isinstance(body, dict):
            raise SlackApiFailure("invalid_json")
        values.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        values.update({k: v for k, v in form.items() if isinstance(v, str)})
    return Args(values)
