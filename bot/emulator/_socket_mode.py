"""Socket Mode: the WebSocket endpoint behind apps.connections.open, envelopes and acks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from dataclasses import dataclass

from aiohttp import WSMsgType, web

from ._delivery import AttemptResult, Delivery, Json
from ._rate_limits import Faults

logger = logging.getLogger(__name__)
PATH = "/link/"


@dataclass
class _Connection:
    ws: web.WebSocketResponse
    closing: bool = False


class SocketModeServer:
    """Accepts Socket Mode clients and hands them envelopes; collects their acks."""

    def __init__(self, *, app_id: str, faults: Faults, disconnect_grace: float = 2.0) -> None:
        self.app_id = app_id
        self.faults = faults
        self.disconnect_grace = disconnect_grace
        self.connections: list[_Connection] = []
        self.hello_count = 0
        self._tickets: set[str] = set()
        self._acks: dict[str, asyncio.Future[Json | None]] = {}
        self._connected = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    def new_ticket(self) -> str:
        """A one-time ticket for the next WebSocket connection."""
        ticket = secrets.token_hex(16)
        self._tickets.add(ticket)
        return ticket

    def routes(self) -> list[web.RouteDef]:
        """The aiohttp routes of the Socket Mode endpoint."""
        return [web.get(PATH, self._handle)]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = _Connection(ws)
        self.connections.append(conn)
        self.hello_count += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self.open_connections()),
                "debug_info": {"host": "applink-emulator", "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        self._connected.set()
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_text(msg.data)
        finally:
            self.connections.remove(conn)
            if not self.open_connections():
                self._connected.clear()
        return ws

    def _on_text(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        envelope_id = message.get("envelope_id")
        future = self._acks.get(str(envelope_id))
        if future is None or future.done():
            return
        if self.faults.take_dropped_ack():
            return
        payload = message.get("payload")
        future.set_result(payload if isinstance(payload, dict) else None)

    def open_connections(self) -> list[_Connection]:
        """Connections that may receive envelopes."""
        return [c for c in self.connections if not c.closing and not c.ws.closed]

    async def wait_connected(self, timeout: float) -> bool:
        """Whether a client is connected (waiting at most ``timeout`` seconds)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not self.open_connections():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._connected.wait(), min(remaining, 0.05))
        return True

    async def attempt(self, delivery: Delivery, retry_num: int, timeout: float) -> AttemptResult:
        """Send ``delivery`` as an envelope and wait for its ack."""
        if not await self.wait_connected(timeout):
            return AttemptResult("no_connection")
        conn = self.open_connections()[-1]
        future = self._acks.get(delivery.envelope_id)
        if future is None or future.done():
            future = asyncio.get_running_loop().create_future()
            self._acks[delivery.envelope_id] = future
        envelope: Json = {
            "envelope_id": delivery.envelope_id,
            "payload": delivery.payload,
            "type": delivery.kind,
            "accepts_response_payload": delivery.kind != "events_api",
        }
        if delivery.kind == "events_api":
            envelope["retry_attempt"] = retry_num
            envelope["retry_reason"] = "timeout" if retry_num else ""
        try:
            await conn.ws.send_json(envelope)
        except (ConnectionError, RuntimeError):
            return AttemptResult("no_connection")
        try:
            response = await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            return AttemptResult("timeout")
        self._acks.pop(delivery.envelope_id, None)
        return AttemptResult("acked", response=response)

    async def disconnect(self, reason: str = "refresh_requested") -> int:
        """Ask every client to reconnect, as Slack does before it recycles a socket.

        Returns the number of connections asked. Each is closed after a grace period if the
        client has not closed it by then.
        """
        asked = 0
        for conn in self.open_connections():
            conn.closing = True
            asked += 1
            with contextlib.suppress(ConnectionError, RuntimeError):
                await conn.ws.send_json(
                    {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink"}}
                )
            task = asyncio.get_running_loop().create_task(self._close_later(conn))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if not self.open_connections():
            self._connected.clear()
        return asked

    async def _close_later(self, conn: _Connection) -> None:
        await asyncio.sleep(self.disconnect_grace)
        await conn.ws.close()

    async def close(self) -> None:
        """Close every connection."""
        for task in list(self._tasks):
            task.cancel()
        for conn in list(self.connections):
            await conn.ws.close()
