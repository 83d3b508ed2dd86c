"""Stream one answer into a Slack thread: chat.startStream / appendStream / stopStream, falling
back to one chat.postMessage and coalesced chat.update edits.

The answer is kept as one Markdown document (model text and tool progress lines in the order
they happened). A background flush brings Slack up to date with the latest document, so edits
coalesce by construction and a failed or rate-limited call loses nothing: the next attempt
sends whatever is current. Text that no longer fits one message continues in the next one.

Example:
    ```python
    stream = ThreadStream(client, channel=channel, thread_ts=ts, budget=budget)
    message_ts = await stream.start()          # store it in the run's metadata
    await stream.append("Hello **wor")
    await stream.append("ld**")
    await stream.finish()
    ```
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ._budget import EditBudget
from ._mrkdwn import MESSAGE_LIMIT, Cut, closing_fence, find_cut, open_fence, to_mrkdwn

logger = logging.getLogger(__name__)
Block = dict[str, Any]

RUNNING, DONE, FAILED = "\u23f3", "\u2705", "\u274c"
"""Progress markers: one character each, so marking a line done never moves any text."""

_NOT_STREAMING = "message_not_in_streaming_state"
_TRANSIENT = (SlackApiError, aiohttp.ClientError, TimeoutError)


class _RetryLater(Exception):
    def __init__(self, seconds: float, method: str) -> None:
        super().__init__(f"{method} rate limited for {seconds:g} s")
        self.seconds = seconds
        self.method = method


@dataclass
class _Message:
    """One Slack message holding ``prefix + answer[start:end] + suffix``."""

    start: int
    prefix: str = ""
    end: int | None = None
    suffix: str = ""
    ts: str | None = None
    streaming: bool = False  # created by chat.startStream and not (yet) moved to chat.update
    stream_open: bool = False  # the stream has not been stopped
    streamed: str = ""  # what the stream shows
    stale: bool = False  # what the message shows is unknown: rewrite it
    sent: tuple[str, str] | None = None  # (text, blocks JSON) last posted or updated
    creating: bool = False  # its chat.startStream / chat.postMessage is in flight
    dropped: bool = False  # a reset took its text away: delete it


def _unmarked(text: str) -> str:
    return text.replace(DONE, RUNNING).replace(FAILED, RUNNING)


def _retry_after(error: SlackApiError, method: str) -> _RetryLater | None:
    if error.response.status_code != 429:
        return None
    header = error.response.headers.get("Retry-After") or error.response.headers.get(
        "retry-after", "1"
    )
    try:
        seconds = float(header)
    except (TypeError, ValueError):
        seconds = 1.0
    return _RetryLater(max(seconds, 0.0), method)


def _error_code(error: SlackApiError) -> str:
    return str(error.response.get("error", ""))


class ThreadStream:
    """Streams one answer into one thread, continuing into further messages when long.

    Args:
        client: a slack_sdk ``AsyncWebClient`` (see :func:`with_rate_limit_retries`).
        channel: the conversation id.
        thread_ts: the ts of the thread's parent message.
        budget: the workspace's chat.update budget (one per workspace); a private one if
            omitted.
        use_streaming: try chat.startStream first (the fallback is always available).
        edit_interval: seconds between two rounds of chat.update edits (about one a second).
        stream_interval: seconds between two rounds of chat.appendStream calls.
        message_limit: Markdown characters per message before continuing in a new one.
        placeholder: mrkdwn shown in a posted message before any text arrives.
        recipient_team_id: passed to chat.startStream (Slack wants it in channels).
        recipient_user_id: passed to chat.startStream (Slack wants it in channels).
        max_failures: consecutive failed rounds (other than 429s) before giving up.
        retry_delay: seconds to wait after a failed round, times the failures so far.
        working_blocks: blocks shown below the text until the answer ends (e.g. a Stop
            button), where the message is edited with chat.update; a stream cannot show them.
    """

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        channel: str,
        thread_ts: str,
        budget: EditBudget | None = None,
        use_streaming: bool = True,
        edit_interval: float = 1.0,
        stream_interval: float = 0.3,
        message_limit: int = MESSAGE_LIMIT,
        placeholder: str = "_thinking\u2026_",
        recipient_team_id: str | None = None,
        recipient_user_id: str | None = None,
        max_failures: int = 5,
        retry_delay: float = 1.0,
        working_blocks: Sequence[Block] | None = None,
    ) -> None:
        if message_limit < 50:
            raise ValueError("message_limit must be at least 50 characters")
        self._client = client
        self._channel = channel
        self._thread_ts = thread_ts
        self._budget = budget or EditBudget()
        self._use_streaming = use_streaming
        self._edit_interval = edit_interval
        self._stream_interval = stream_interval
        self._limit = message_limit
        self._placeholder = placeholder
        self._recipient = {
            k: v
            for k, v in (
                ("recipient_team_id", recipient_team_id),
                ("recipient_user_id", recipient_user_id),
            )
            if v
        }
        self._max_failures = max_failures
        self._retry_delay = retry_delay
        self._answer = ""
        self._turn_start = 0  # where the text of the current model turn begins
        self._marks: dict[str, int] = {}  # progress key -> offset of its marker
        self._messages: list[_Message] = [_Message(start=0)]
        self._doomed: list[_Message] = []  # messages a reset emptied, to delete
        self._generation = 0  # counts drops, so a round in flight notices them
        self._final_blocks: list[Block] | None = None
        self._working_blocks = list(working_blocks) if working_blocks else None
        self._finishing = False
        self._finished = False
        self._hurry = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._next_round = 0.0
        self._error: BaseException | None = None

    # -- what the caller sees ---------------------------------------------------------

    @property
    def ts(self) -> str | None:
        """The ts of the first message of the answer (``None`` before :meth:`start`)."""
        return self._messages[0].ts

    @property
    def timestamps(self) -> list[str]:
        """The ts of every message of the answer so far, in order."""
        return [m.ts for m in self._messages if m.ts is not None]

    @property
    def text(self) -> str:
        """The whole answer so far, as Markdown (progress lines included)."""
        return self._answer

    @property
    def streaming(self) -> bool:
        """Whether the current message is still a chat.startStream stream."""
        last = self._messages[-1]
        return last.streaming and last.stream_open

    # -- the answer -----------------------------------------------------------------

    async def start(self, existing_ts: str | None = None) -> str:
        """Create the answer's message and return its ts.

        With ``existing_ts`` (the message a previous process started, e.g. before a crash),
        that message is reused and rewritten from scratch with chat.update instead.
        """
        first = self._messages[0]
        if existing_ts is not None:
            # An old stream may still be open: end it so chat.update can rewrite it.
            first.ts = existing_ts
            first.streaming = first.stream_open = first.stale = True
            self._kick()
            return existing_ts
        await self._with_retries(lambda: self._create(first))
        assert first.ts is not None
        return first.ts

    async def append(self, text: str) -> None:
        """Add model text (Markdown) to the answer."""
        self._check_open()
        if text:
            self._answer += text
            self._changed()

    async def reset_text(self) -> None:
        """Discard the text of the current model turn (the provider retried it)."""
        self._check_open()
        self._truncate(self._turn_start)
        self._changed()

    async def progress(self, line: str, *, key: str | None = None) -> None:
        """Show a progress line (Markdown, e.g. ``running `exec`: `pytest -q```) in the answer.

        ``key`` names it for :meth:`progress_done`. Text that follows belongs to a new turn.
        A line whose ``key`` is already shown is not added again (a tool call that waited for
        approval starts again when its run resumes).
        """
        self._check_open()
        if key is not None and key in self._marks:
            return
        fence = open_fence(self._answer + "\n")
        if fence is not None:
            self._answer += closing_fence(fence)  # a progress line in code would read as code
        if self._answer and not self._answer.endswith("\n\n"):
            self._answer += "\n" if self._answer.endswith("\n") else "\n\n"
        if key is not None:
            self._marks[key] = len(self._answer)
        self._answer += f"{RUNNING} {line}\n\n"
        self._turn_start = len(self._answer)
        self._changed()

    async def progress_done(self, key: str, *, failed: bool = False) -> None:
        """Mark the progress line ``key`` as done (or failed)."""
        offset = self._marks.pop(key, None)
        if offset is None or self._finished:
            return
        mark = FAILED if failed else DONE
        self._answer = self._answer[:offset] + mark + self._answer[offset + 1 :]
        self._changed()

    async def flush(self) -> None:
        """Send everything pending now, without waiting for the edit interval."""
        self._hurry.set()
        try:
            await self._drain()
        finally:
            if not self._finishing:
                self._hurry.clear()

    async def finish(
        self, final_text: str | None = None, *, blocks: Sequence[Block] | None = None
    ) -> None:
        """Send the rest and end the answer.

        ``final_text`` is the model's complete last answer: it replaces the current turn's
        text when that differs (e.g. it was not streamed). ``blocks`` go below the last
        message's text (e.g. feedback buttons).
        """
        if self._finished:
            return
        if final_text is not None:
            current = self._answer[self._turn_start :]
            if final_text.strip() == current.strip():
                pass  # streamed already (whitespace aside): keep what the thread shows
            elif final_text.startswith(current):
                self._answer += final_text[len(current) :]
            else:
                self._truncate(self._turn_start)
                self._answer += final_text
        if not self._answer.strip():
            self._answer = "_(no answer)_"
        while len(self._messages) > 1 and not self._content(self._messages[-1]).strip():
            self._drop_last()  # nothing left to say after the last cut
        self._final_blocks = list(blocks) if blocks else None
        self._finishing = True
        self._changed()
        self._hurry.set()
        await self._drain()
        self._finished = True

    async def fail(self, message: str) -> None:
        """End the answer with one clear failure message below what was already shown."""
        if self._finished:
            return
        sep = "" if not self._answer or self._answer.endswith("\n\n") else "\n\n"
        self._answer += f"{sep}\u26a0\ufe0f {message}"
        await self.finish()

    # -- document bookkeeping ---------------------------------------------------------

    def _check_open(self) -> None:
        if self._finishing:
            raise RuntimeError("this answer is finished")

    def _truncate(self, offset: int) -> None:
        self._answer = self._answer[:offset]
        while len(self._messages) > 1 and self._messages[-1].start > offset:
            self._drop_last()
        last = self._messages[-1]
        last.end, last.suffix = None, ""

    def _drop_last(self) -> None:
        msg = self._messages.pop()
        msg.dropped = True
        self._generation += 1
        self._doomed.append(msg)

    @staticmethod
    def _appendable(msg: _Message, content: str) -> bool:
        """Whether ``msg``'s open stream can show ``content`` by appending to it."""
        open_stream = msg.streaming and msg.stream_open and not msg.stale
        return open_stream and _unmarked(content).startswith(_unmarked(msg.streamed))

    def _content(self, msg: _Message) -> str:
        return msg.prefix + self._answer[msg.start : msg.end] + msg.suffix

    def _changed(self) -> None:
        self._reflow()
        self._kick()

    def _reflow(self) -> None:
        """Seal the last message at a good cut while it holds more than the limit."""
        while len(self._content(last := self._messages[-1])) > self._limit:
            content = self._content(last)
            cut = find_cut(content, self._limit)
            streamed = len(last.streamed)
            if cut.index < streamed and self._appendable(last, content):
                # What a stream shows cannot be taken back: cut after it.
                shown = len(last.streamed)
                cut = Cut(shown, open_fence(content[:shown]))
            end = last.start + max(1, cut.index - len(last.prefix))
            last.end, last.suffix = end, closing_fence(cut.fence) if cut.fence else ""
            start = end
            if cut.fence is None:
                while self._answer.startswith("\n", start):
                    start += 1
            prefix = f"{cut.fence}\n" if cut.fence else ""
            self._messages.append(_Message(start=start, prefix=prefix))

    # -- flushing ---------------------------------------------------------------------

    def _kick(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush_loop())

    async def _drain(self) -> None:
        self._kick()
        if self._task is not None:
            await asyncio.shield(self._task)
        if self._error is not None:
            error, self._error = self._error, None
            logger.warning(
                "slack: the answer in %s could not be fully sent: %s", self._channel, error
            )

    async def _flush_loop(self) -> None:
        while True:
            wait = self._next_round - time.monotonic()
            if wait > 0 and not self._hurry.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._hurry.wait(), wait)
            try:
                did = await self._with_retries(self._sync)
            except Exception as error:  # never let a Slack problem crash the run
                self._error = error
                return
            if not did:
                return
            interval = self._stream_interval if self.streaming else self._edit_interval
            self._next_round = time.monotonic() + interval

    async def _with_retries(self, call: Callable[[], Awaitable[bool]]) -> bool:
        failures = 0
        while True:
            try:
                return await call()
            except _RetryLater as later:
                if later.method == "chat.update":
                    self._budget.pause(later.seconds)
                await asyncio.sleep(later.seconds)
            except _TRANSIENT as error:
                failures += 1
                if failures >= self._max_failures:
                    raise
                logger.info("slack: retrying after %s", type(error).__name__)
                await asyncio.sleep(self._retry_delay * failures)

    async def _sync(self) -> bool:
        """One round: bring every message up to date. Returns whether anything was sent."""
        did = False
        while True:
            generation = self._generation
            for msg in list(self._doomed):
                if msg.ts is not None:
                    await self._call("chat.delete", channel=self._channel, ts=msg.ts)
                    did = True
                if not msg.creating:  # else its ts is on the way: delete it next round
                    self._doomed.remove(msg)
            index = 0
            while index < len(self._messages) and generation == self._generation:
                msg = self._messages[index]
                is_last = index == len(self._messages) - 1
                if msg.ts is None:
                    if index > 0 and not self._content(msg).strip() and not self._finishing:
                        break  # no empty message before its text arrives
                    did = await self._create(msg) or did
                if not msg.dropped:
                    did = await self._sync_message(msg, is_last) or did
                index += 1
            if generation == self._generation:
                return did
            # A reset dropped messages meanwhile: start over so messages are created in order.

    async def _create(self, msg: _Message) -> bool:
        msg.creating = True
        try:
            return await self._post(msg)
        finally:
            msg.creating = False

    async def _post(self, msg: _Message) -> bool:
        content = self._content(msg)
        if self._use_streaming:
            try:
                response = await self._call(
                    "chat.startStream",
                    channel=self._channel,
                    thread_ts=self._thread_ts,
                    markdown_text=content or None,
                    **self._recipient,
                )
            except SlackApiError as error:
                logger.info(
                    "slack: streaming unavailable (%s); editing instead", _error_code(error)
                )
                self._use_streaming = False
            else:
                msg.ts, msg.streaming, msg.stream_open = str(response["ts"]), True, True
                msg.streamed = content
                return True
        text, blocks = self._render(msg, is_last=msg is self._messages[-1])
        response = await self._call(
            "chat.postMessage",
            channel=self._channel,
            thread_ts=self._thread_ts,
            text=text,
            blocks=blocks,
        )
        msg.ts, msg.sent = str(response["ts"]), (text, json.dumps(blocks))
        return True

    async def _sync_message(self, msg: _Message, is_last: bool) -> bool:
        content = self._content(msg)
        final = msg.end is not None or self._finishing
        if msg.streaming and msg.stream_open and not msg.stale:
            if not self._appendable(msg, content):
                return await self._rewrite(msg, is_last)
            tail = content[len(msg.streamed) :]
            if not final and not tail:
                return False
            method = "chat.stopStream" if final else "chat.appendStream"
            extra = self._final_blocks if final and is_last else None
            try:
                await self._call(
                    method,
                    channel=self._channel,
                    ts=msg.ts,
                    markdown_text=tail or None,
                    blocks=extra,
                )
            except SlackApiError as error:
                if _error_code(error) == _NOT_STREAMING:
                    msg.stream_open = False
                return await self._rewrite(msg, is_last)
            msg.streamed += tail
            msg.stream_open = not final
            return True
        if msg.streaming and not msg.stale and msg.sent is None and content == msg.streamed:
            return False  # a stopped stream that already shows everything
        return await self._rewrite(msg, is_last)

    async def _rewrite(self, msg: _Message, is_last: bool) -> bool:
        """Show ``msg``'s current content with chat.update (ending its stream first)."""
        if msg.stream_open:
            # It may have ended already: Slack ends idle streams on its own.
            with contextlib.suppress(SlackApiError):
                await self._call("chat.stopStream", channel=self._channel, ts=msg.ts)
            msg.stream_open, msg.stale = False, False
        text, blocks = self._render(msg, is_last=is_last)
        wanted = (text, json.dumps(blocks))
        if wanted == msg.sent:
            return False
        await self._budget.acquire()
        await self._call("chat.update", channel=self._channel, ts=msg.ts, text=text, blocks=blocks)
        msg.sent = wanted
        return True

    def _render(self, msg: _Message, *, is_last: bool) -> tuple[str, list[Block] | None]:
        content = self._content(msg)
        fence = open_fence(content + "\n")
        if fence is not None:
            content += closing_fence(fence)  # show unfinished code as code while it streams
        text = to_mrkdwn(content) if content.strip() else self._placeholder
        if not is_last:
            extra = None
        elif self._finishing:
            extra = self._final_blocks
        else:
            extra = self._working_blocks
        had_blocks = msg.sent is not None and msg.sent[1] != "null"
        if not (extra or msg.streaming or had_blocks):
            return text, None
        # Once a message has blocks every edit sends them, so stale buttons go away; a
        # streamed message renders Markdown, so keep it in a markdown block.
        markdown = content if content.strip() else self._placeholder
        return text, [{"type": "markdown", "text": markdown}, *(extra or [])]

    async def _call(self, method: str, **args: Any) -> Any:
        params = {k: v for k, v in args.items() if v is not None}
        try:
            return await self._client.api_call(method, json=params)
        except SlackApiError as error:
            later = _retry_after(error, method)
            if later is not None:
                raise later from error
            raise
