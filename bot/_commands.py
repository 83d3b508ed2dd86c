"""The ``/polos`` slash command: help, agents, run, status, cancel, approvals."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from agents import PolosClient, RunInfo
from bot import _texts
from bot._agents import AgentDirectory
from bot._launcher import Launcher, SlackOrigin
from bot._slack import conversation_id

_RECENT = 200


def _run_line(run: RunInfo) -> str:
    when = run.created_at.strftime("%H:%M:%S")
    return f"`{run.id[:8]}` {run.workflow_id}: *{run.status}* ({when})"


class Commands:
    """Answers ``/polos ...``; the answer is ephemeral unless it starts a run."""

    def __init__(
        self,
        polos: PolosClient,
        slack: AsyncWebClient,
        directory: AgentDirectory,
        launcher: Launcher,
        *,
        approvers: frozenset[str],
    ) -> None:
        self.polos = polos
        self.slack = slack
        self.directory = directory
        self.launcher = launcher
        self.approvers = approvers

    async def handle(self, command: dict[str, Any]) -> str:
        """The text of the ephemeral answer to one command."""
        words = str(command.get("text", "")).strip().split(maxsplit=1)
        verb = words[0].lower() if words else "help"
        rest = words[1] if len(words) > 1 else ""
        user = str(command.get("user_id", ""))
        channel = str(command.get("channel_id", ""))
        match verb:
            case "help":
                return _texts.HELP
            case "agents":
                return f"The agents:\n{self.directory.describe()}"
            case "run":
                return await self._run(rest, command, user, channel)
            case "status":
                return await self._status(rest.strip(), channel)
            case "cancel":
                return await self._cancel(rest.strip(), user, channel)
            case "approvals":
                return await self._approvals(channel)
        return f"Unknown command `{verb}`.\n{_texts.HELP}"

    async def _channel_runs(self, channel: str) -> list[RunInfo]:
        runs = await self.polos.list_runs(limit=_RECENT)
        return [
            run
            for run in runs
            if (origin := SlackOrigin.of(run.metadata)) is not None and origin.channel == channel
        ]

    async def _find(self, prefix: str, channel: str) -> RunInfo | None:
        if not prefix:
            return None
        run = await self.polos.get_run(prefix)
        if run is not None:
            return run
        matches = [r for r in await self._channel_runs(channel) if r.id.startswith(prefix)]
        return matches[0] if len(matches) == 1 else None

    async def _run(self, rest: str, command: dict[str, Any], user: str, channel: str) -> str:
        parts = rest.split(maxsplit=1)
        if len(parts) < 2:
            return "Usage: `/polos run <agent> <prompt>`"
        agent = self.directory.get(parts[0].lstrip("@"))
        if agent is None:
            return _texts.unknown_agent(parts[0].lstrip("@"), self.directory.describe())
        posted = await self.slack.chat_postMessage(
            channel=channel, text=f"<@{user}> asked `@{agent.id}`: {parts[1]}"
        )
        ts = str(posted["ts"])
        team = str(command.get("team_id", ""))
        origin = SlackOrigin(team=team, channel=channel, thread_ts=ts, user=user, message_ts=ts)
        handle = await self.launcher.start(
            agent, parts[1], origin, conversation=conversation_id(team, channel, ts)
        )
        return f"Started `{handle.run_id[:8]}` with `@{agent.id}`: the answer is in the thread."

    async def _status(self, prefix: str, channel: str) -> str:
        if prefix:
            run = await self._find(prefix, channel)
            if run is None:
                return f"No run `{prefix}` here."
            steps = await self.polos.list_steps(run.id)
            pending = await self.polos.list_suspensions(run_id=run.id)
            lines = [_run_line(run), f"{len(steps)} steps done"]
            lines += [f"waiting for approval at `{s.step_key}`" for s in pending]
            return "\n".join(lines)
        runs = await self._channel_runs(channel)
        if not runs:
            return "No runs in this channel yet."
        return "Recent runs here:\n" + "\n".join(_run_line(run) for run in runs[:10])

    async def _cancel(self, prefix: str, user: str, channel: str) -> str:
        run = await self._find(prefix, channel)
        if run is None:
            return "Usage: `/polos cancel <run>` (see `/polos status`)."
        origin = SlackOrigin.of(run.metadata)
        if user not in self.approvers and (origin is None or origin.user != user):
            return _texts.not_allowed("cancel this run")
        if await self.polos.cancel(run.id):
            return f"Cancelled `{run.id[:8]}`."
        return f"`{run.id[:8]}` had already ended ({run.status})."

    async def _approvals(self, channel: str) -> str:
        runs = {run.id: run for run in await self._channel_runs(channel)}
        pending = [s for s in await self.polos.list_suspensions() if s.run_id in runs]
        if not pending:
            return "No approvals are waiting in this channel."
        return "Waiting for approval:\n" + "\n".join(
            f"`{s.run_id[:8]}` {runs[s.run_id].workflow_id} at `{s.step_key}`" for s in pending
        )
