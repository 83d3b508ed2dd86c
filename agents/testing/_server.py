"""The LLM test server: an aiohttp app that speaks the OpenAI and Anthropic wire formats."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections import deque
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from aiohttp import web

from agents.testing._anthropic_wire import AnthropicWire
from agents.testing._openai_wire import OpenAIWire
from agents.testing._replies import ErrorReply, RecordedCall, Reply, ReplyFunction, ScriptItem
from agents.testing._text import encode_sse
from agents.testing._wire import Problem, Wire


class LLMServer:
    """A local server the real ``openai`` and ``anthropic`` SDKs can talk to.

    It speaks Chat Completions at ``POST /v1/chat/completions`` (``base_url`` =
    :attr:`openai_base_url`) and Messages at ``POST /v1/messages`` (``base_url`` =
    :attr:`anthropic_base_url`), streamed (SSE) or not. It checks the API key and
    validates requests like the real APIs (same status codes and error shapes), answers
    from a script, and records every call.

    Args:
        api_key: The key clients must send; ``None`` accepts any non-empty key.
        host: The interface to listen on.
        port: The port; 0 (the default) picks a free one.

    Example:
        >>> async with LLMServer() as server:  # doctest: +SKIP
        ...     server.script([Reply(text="Hello there")])
        ...     client = AsyncOpenAI(api_key=server.api_key, base_url=server.openai_base_url)
        ...     ...
        ...     assert server.call_count == 1
    """

    def __init__(
        self, *, api_key: str | None = "test-key", host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.api_key = api_key
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._queue: deque[ScriptItem] = deque()
        self._function: ReplyFunction | None = None
        self._calls: list[RecordedCall] = []

    # -- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening (on a free port unless one was given)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._openai)
        app.router.add_post("/v1/messages", self._anthropic)
        # Cancelling a handler when its client goes away ends injected delays early.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening and drop open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LLMServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- addresses -------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._port is None:
            raise RuntimeError("the LLM test server is not started")
        return self._port

    @property
    def url(self) -> str:
        """The server's root, e.g. ``http://127.0.0.1:41234``."""
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """The ``base_url`` for the OpenAI SDK (ends in ``/v1``)."""
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        """The ``base_url`` for the Anthropic SDK."""
        return self.url

    # -- script and records ----------------------------------------------------------

    def script(self, replies: Iterable[ScriptItem] | ReplyFunction) -> None:
        """Set what the server answers, replacing any previous script.

        Args:
            replies: Replies used one per call, in order; or a function of the request
                body (sync or async) that returns the reply for each call.
        """
        self._queue.clear()
        self._function = None
        if callable(replies):
            self._function = replies
        else:
            self._queue.extend(replies)

    @property
    def remaining(self) -> int:
        """Scripted replies not used yet."""
        return len(self._queue)

    @property
    def calls(self) -> list[RecordedCall]:
        """Every call received, in order of arrival (rejected ones included)."""
        return list(self._calls)

    @property
    def call_count(self) -> int:
        """How many calls were received."""
        return len(self._calls)

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of every call, in order."""
        return [call.body for call in self._calls]

    @property
    def last(self) -> RecordedCall:
        """The most recent call."""
        if not self._calls:
            raise AssertionError("the LLM test server received no call")
        return self._calls[-1]

    def reset(self) -> None:
        """Forget the script and the recorded calls."""
        self.script([])
        self._calls.clear()

    # -- handlers --------------------------------------------------------------------

    async def _openai(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, OpenAIWire())

    async def _anthropic(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, AnthropicWire())

    async def _handle(self, request: web.Request, wire: Wire) -> web.StreamResponse:
        received = time.monotonic()
        headers = {name.lower(): value for name, value in request.headers.items()}
        try:
            body: Any = await request.json()
        except ValueError:
            body = None

        def record(status: int, reply: ScriptItem | None = None) -> None:
            self._calls.append(
                RecordedCall(
                    api=wire.api,
                    path=request.path,
                    headers=headers,
                    body=body if isinstance(body, dict) else {},
                    status=status,
                    reply=reply,
                    received_at=received,
                )
            )

        problem = wire.check_auth(headers, self.api_key) or wire.validate(headers, body)
        if problem is not None:
            record(problem[0])
            return self._problem(wire, problem)
        assert isinstance(body, dict)
        item = await self._next(wire, body)
        if isinstance(item, tuple):
            record(item[0])
            return self._problem(wire, item)
        if isinstance(item, ErrorReply):
            record(item.status, item)
            await asyncio.sleep(item.delay)
            return self._problem(wire, wire.error(item), _retry_headers(item))
        record(200, item)
        if body.get("stream"):
            return await self._stream(request, wire, item, body)
        await asyncio.sleep(item.delay)
        if item.cut_after is not None:
            _drop(request)
        return web.json_response(wire.complete(item, body), headers=wire.response_headers())

    async def _next(self, wire: Wire, body: dict[str, Any]) -> ScriptItem | Problem:
        if self._function is not None:
            try:
                item = self._function(body)
                if inspect.isawaitable(item):
                    item = await item
            except Exception as exc:  # the test's function failed: show it to the client
                # 400, not 500: a broken test must fail fast, not be retried.
                message = f"LLM test server: the reply function raised {exc!r}"
                return wire.error(ErrorReply(status=400, message=message))
            return item
        if not self._queue:
            return wire.error(
                ErrorReply(
                    status=400,
                    message=f"LLM test server: the script has no reply left for call "
                    f"{self.call_count + 1}",
                )
            )
        return self._queue.popleft()

    async def _stream(
        self, request: web.Request, wire: Wire, reply: Reply, body: dict[str, Any]
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
                **wire.response_headers(),
            }
        )
        await response.prepare(request)
        try:
            await asyncio.sleep(reply.delay)
            for number, event in enumerate(wire.stream(reply, body)):
                if reply.cut_after is not None and number >= reply.cut_after:
                    if reply.stream_error is None:
                        _drop(request)
                        return response
                    await response.write(encode_sse(wire.stream_error(reply.stream_error)))
                    break
                if number and reply.chunk_delay:
                    await asyncio.sleep(reply.chunk_delay)
                await response.write(encode_sse(event))
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client went away (its timeout); nothing left to send
        return response

    def _problem(
        self, wire: Wire, problem: Problem, extra: dict[str, str] | None = None
    ) -> web.Response:
        status, payload = problem
        headers = {**wire.response_headers(), **(extra or {})}
        return web.json_response(payload, status=status, headers=headers)


def _retry_headers(item: ErrorReply) -> dict[str, str]:
    headers: dict[str, str] = {}
    if item.retry_after is not None:
        headers["Retry-After"] = f"{item.retry_after:g}"
    if item.retry_after_ms is not None:
        headers["retry-after-ms"] = str(item.retry_after_ms)
    return headers


def _drop(request: web.Request) -> None:
    """Close the connection without ending the response: a cut stream.

    ``close`` rather than ``abort``: what was written still reaches the client first.
    """
    transport = request.transport
    if transport is not None:
        transport.close()
