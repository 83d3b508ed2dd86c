"""``agent.stream()``: text chunks and typed events of a run as it executes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from agents._agent_events import AgentEvent, RunFailed, RunFinished, TextDelta, to_agent_event
from agents._agent_result import AgentResult
from agents._events import Subscription

if TYPE_CHECKING:
    from agents._agent import Agent
    from agents._client import RunHandle

_CHECK_SECONDS = 0.5
_END = object()


class AgentStream:
    """A started agent run, streamed.

    ``text_chunks`` yields the answer's text as the model produces it; ``events`` yields
    every :data:`AgentEvent` (text, tool calls, approvals, the end). Each may be iterated by
    one consumer; both end when the run ends. Events come from runs executed in this
    process; for a run executed by another worker, the final text arrives in one piece.
    """

    def __init__(self, agent: Agent, handle: RunHandle[AgentResult], source: Subscription):
        self.agent = agent
        self.handle = handle
        self.run_id = handle.run_id
        self._source = source
        self._text: asyncio.Queue[object] = asyncio.Queue()
        self._events: asyncio.Queue[object] = asyncio.Queue()
        self._pump = asyncio.create_task(self._forward(), name=f"polos-stream-{self.run_id}")

    async def _forward(self) -> None:
        streamed_text = False
        try:
            while True:
                event = await self._source.get(timeout=_CHECK_SECONDS)
                if event is None:
                    run = await self.handle.info()
                    if run.done:
                        await self._finish_from_store(streamed_text)
                        return
                    continue
                if event.run_id != self.run_id:
                    continue
                agent_event = to_agent_event(event)
                if agent_event is None:
                    continue
                if isinstance(agent_event, RunFinished):
                    agent_event = RunFinished(
                        self.run_id, self.agent.decode_result(agent_event.result)
                    )
                if isinstance(agent_event, TextDelta):
                    streamed_text = True
                    self._text.put_nowait(agent_event.text)
                self._events.put_nowait(agent_event)
                if isinstance(agent_event, RunFinished | RunFailed):
                    return
        finally:
            self._source.close()
            self._text.put_nowait(_END)
            self._events.put_nowait(_END)

    async def _finish_from_store(self, streamed_text: bool) -> None:
        try:
            result = self.agent.decode_result(await self.handle.result())
        except Exception as exc:
            self._events.put_nowait(RunFailed(self.run_id, type(exc).__name__, str(exc)))
            return
        if not streamed_text and isinstance(result, AgentResult) and result.text:
            self._text.put_nowait(result.text)
            self._events.put_nowait(TextDelta(self.run_id, result.text, len(result.steps)))
        self._events.put_nowait(RunFinished(self.run_id, result))

    @property
    def text_chunks(self) -> AsyncIterator[str]:
        """The answer's text, chunk by chunk."""
        return self._drain(self._text)  # type: ignore[return-value]

    @property
    def events(self) -> AsyncIterator[AgentEvent]:
        """Every event of the run, in order."""
        return self._drain(self._events)  # type: ignore[return-value]

    @staticmethod
    async def _drain(queue: asyncio.Queue[object]) -> AsyncIterator[object]:
        while True:
            item = await queue.get()
            if item is _END:
                queue.put_nowait(_END)  # later iterations end at once too
                return
            yield item

    async def result(self) -> AgentResult:
        """Wait for the run to end and return its result (or raise its error)."""
        result: AgentResult = self.agent.decode_result(await self.handle.result())
        return result

    async def aclose(self) -> None:
        """Stop forwarding events (the run itself goes on)."""
        self._pump.cancel()
