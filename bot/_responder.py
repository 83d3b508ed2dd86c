"""Shows the runs started from Slack in their threads: streamed text, tool progress lines,
approval requests and the end. It follows every run this process executes, so a run taken
back after a crash continues in the message it had (its ts is in the run's metadata)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from agents import (
    AgentEvent,
    ApprovalRequested,
    PolosClient,
    RunFailed,
    RunFinished,
    RunInfo,
    Subscription,
)
from agents._agent_events import to_agent_event
from bot import _texts
from bot._blocks import stop_blocks
from bot._budget import EditBudget
from bot._consume import consume
from bot._launcher import Launcher, SlackOrigin
from bot._streaming import ThreadStream

log = logging.getLogger("polos.bot")

ApprovalPoster = Callable[[SlackOrigin, ApprovalRequested], Awaitable[None]]


@dataclass
class _Follow:
    """One run being shown: its events wait in ``queue`` for the task that shows them."""

    queue: asyncio.Queue[AgentEvent | None] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None
    ignored: bool = False  # not a Slack run: its events are dropped until it ends


class Responder:
    """Routes the events of Slack-started runs executed in this process into their threads."""

    def __init__(
        self,
        polos: PolosClient,
        slack: AsyncWebClient,
        launcher: Launcher,
        *,
        post_approval: ApprovalPoster,
        stream_options: dict[str, object] | None = None,
    ) -> None:
        self.polos = polos
        self.slack = slack
        self.launcher = launcher
        self.post_approval = post_approval
        self.stream_options = dict(stream_options or {})
        self.budget = EditBudget()
        self._follows: dict[str, _Follow] = {}
        self._router: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start following runs (before any run can start, so no event is missed)."""
        subscription = self.polos.events.subscribe()
        self._router = asyncio.create_task(self._route(subscription), name="polos-responder")

    async def stop(self) -> None:
        """Stop following runs (their answers continue after a restart)."""
        tasks = [f.task for f in self._follows.values() if f.task] + [self._router]
        for task in tasks:
            if task is not None:
                task.cancel()
        await asyncio.gather(*(t for t in tasks if t is not None), return_exceptions=True)

    async def _route(self, subscription: Subscription) -> None:
        async for event in subscription:
            if event.parent_run_id is not None:
                continue  # child runs are shown through their parent
            agent_event = to_agent_event(event)
            if agent_event is None:
                continue
            follow = self._follows.get(event.run_id)
            if follow is None:
                follow = self._follows[event.run_id] = _Follow()
                follow.task = asyncio.create_task(self._show(event.run_id, follow))
            if not follow.ignored:
                follow.queue.put_nowait(agent_event)
            elif isinstance(agent_event, RunFinished | RunFailed):
                self._follows.pop(event.run_id, None)

    async def _show(self, run_id: str, follow: _Follow) -> None:
        try:
            run = await self.polos.get_run(run_id)
            origin = SlackOrigin.of(run.metadata) if run is not None else None
            if run is None or origin is None:
                follow.ignored = True  # looked up once, not again for each event
                if _ended_already(follow):
                    self._follows.pop(run_id, None)
                return
            stream = ThreadStream(
                self.slack,
                channel=origin.channel,
                thread_ts=origin.thread_ts,
                budget=self.budget,
                working_blocks=stop_blocks(run_id),
                recipient_team_id=origin.team,
                recipient_user_id=origin.user,
                **self.stream_options,  # type: ignore[arg-type]
            )
            control_ts = await self._open(stream, run, origin)
            ended = await consume(
                self._events(follow),
                stream,
                on_approval=lambda request: self.post_approval(origin, request),
            )
            if ended is not None:
                await self.launcher.done(origin)
                if control_ts is not None:
                    with contextlib.suppress(SlackApiError):
                        await self.slack.chat_delete(channel=origin.channel, ts=control_ts)
        except Exception:
            log.exception("could not show run %s in Slack", run_id)
        finally:
            if not follow.ignored:
                self._follows.pop(run_id, None)

    async def _open(self, stream: ThreadStream, run: RunInfo, origin: SlackOrigin) -> str | None:
        """Start (or take back) the answer's message; returns the ts of the message holding
        the Stop button when the answer streams (a stream cannot show buttons)."""
        existing = run.metadata.get("reply_ts")
        control = run.metadata.get("control_ts")
        ts = await stream.start(existing_ts=str(existing) if existing else None)
        if existing is None:
            patch = {"reply_ts": ts}
            if stream.streaming:
                posted = await self.slack.chat_postMessage(
                    channel=origin.channel,
                    thread_ts=origin.thread_ts,
                    text=_texts.WORKING,
                    blocks=stop_blocks(run.id),
                )
                control = patch["control_ts"] = str(posted["ts"])
            await self.polos.update_run_metadata(run.id, patch)
            return str(control) if control else None
        # Taken back after a restart: show again what the completed model calls said.
        for step in await self.polos.list_steps(run.id):
            text = getattr(step.output, "text", None)
            if step.key.startswith("llm-") and isinstance(text, str) and text:
                await stream.append(text)
        return str(control) if control else None

    @staticmethod
    async def _events(follow: _Follow) -> AsyncIterator[AgentEvent]:
        while True:
            event = await follow.queue.get()
            if event is None:
                return
            if isinstance(event, RunFailed):
                event = RunFailed(
                    event.run_id, event.error_type, _texts.failure(event), event.cancelled
                )
            yield event


def _ended_already(follow: _Follow) -> bool:
    """Whether the run's end event arrived while it was being looked up."""
    ended = False
    while not follow.queue.empty():
        ended = ended or isinstance(follow.queue.get_nowait(), RunFinished | RunFailed)
    return ended
