"""``response_url``: where an app answers a click or a slash command after its ack."""

from __future__ import annotations

import json
import time

from aiohttp import web

from ._core import EmulatorCore
from ._errors import SlackApiFailure

MAX_USES = 5
LIFETIME = 30 * 60.0


def response_url_routes(core: EmulatorCore) -> list[web.RouteDef]:
    """The route behind every ``response_url`` the emulator hands out."""
    uses: dict[str, list[float]] = {}

    async def handle(request: web.Request) -> web.Response:
        key = request.match_info["key"]
        target = core.response_targets.get(key)
        if target is None:
            return web.Response(status=404, text="no_such_url")
        stamps = uses.setdefault(key, [])
        if len(stamps) >= MAX_USES:
            return web.Response(status=404, text="used_url")
        if stamps and time.monotonic() - stamps[0] > LIFETIME:
            return web.Response(status=404, text="expired_url")
        try:
            body = json.loads(await request.text())
        except ValueError:
            return web.Response(status=400, text="invalid_payload")
        if not isinstance(body, dict):
            return web.Response(status=400, text="invalid_payload")
        if not (body.get("text") or body.get("blocks") or body.get("delete_original")):
            return web.Response(status=400, text="no_text")
        try:
            core.respond(target, body)
        except SlackApiFailure as failure:
            return web.Response(status=400, text=failure.error)
        stamps.append(time.monotonic())
        return web.Response(text="ok")

    return [web.post("/response/{key}", handle)]
