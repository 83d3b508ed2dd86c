"""The Docker environment: the six operations inside one hardened container.

Commands and file operations all run inside the container as small shell scripts
(:mod:`sandbox._scripts`), never through a host path, so a symlink the agent makes can
only ever point inside the container. Paths are checked twice: lexically here, then with
``realpath`` in the container. Scripts go through pooled shell channels
(:mod:`sandbox._docker_channel`, a few ms each); writes, which send content on stdin, use
one ``docker exec`` each.
"""

from __future__ import annotations

import asyncio
import posixpath
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import docker.errors

from sandbox._config import DockerEnvironmentConfig
from sandbox._docker_channel import ChannelClosed, ShellChannel
from sandbox._docker_client import daemon_errors, docker_client
from sandbox._docker_exec import RawExec, oom_killed_since, run_exec
from sandbox._docker_output import listing, lost, parse_grep, raise_for_exit, split_grep_glob
from sandbox._docker_session import ensure_container, remove_container
from sandbox._environment import READ_LIMIT, Environment
from sandbox._errors import SandboxToolError
from sandbox._paths import relative, resolve
from sandbox._results import (
    EditResult,
    ExecResult,
    GlobResult,
    GrepMode,
    GrepResult,
    ReadResult,
    WriteResult,
)
from sandbox._scripts import (
    EXIT_MISSING,
    EXIT_TIMED_OUT,
    SCRIPTS,
    TIMEOUT_NOTICE,
)
from sandbox._text import (
    EDIT_MAX_BYTES,
    GLOB_LIMIT,
    MAX_LINE_CHARS,
    apply_edit,
    check_glob,
    check_text,
    glob_base,
    glob_regex,
    number_lines,
)

T = TypeVar("T")

KILL_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL on timeout (in the RUN script)."""
_LISTING_LIMIT = 8 * 1024 * 1024
_FILE_OP_DEADLINE = 300.0


class DockerEnvironment(Environment):
    """One container (per session or per run) and its workspace volume.

    Example::

        env = await DockerEnvironment.for_session("C123/1700000000.0001", config)
        result = await env.exec("ls -la", timeout=30)
    """

    def __init__(
        self,
        config: DockerEnvironmentConfig,
        *,
        scope: str,
        key: str,
        container_id: str,
        output_limit: int = 30000,
        client: Any = None,
    ) -> None:
        self.config = config
        self.scope = scope
        self.key = key
        self.container_id = container_id
        self.output_limit = output_limit
        self.workspace = config.workdir
        self._client = client
        self._idle: list[ShellChannel] = []
        self._pool_lock = threading.Lock()

    @classmethod
    async def open(
        cls,
        config: DockerEnvironmentConfig,
        *,
        scope: str,
        key: str,
        output_limit: int = 30000,
        client: Any = None,
    ) -> DockerEnvironment:
        """Find the container for ``key`` (restarting it if stopped) or create it."""
        if client is None:
            client = await asyncio.to_thread(docker_client)
        container_id = await asyncio.to_thread(
            ensure_container, client, config, scope=scope, key=key
        )
        return cls(
            config,
            scope=scope,
            key=key,
            container_id=container_id,
            output_limit=output_limit,
            client=client,
        )

    @classmethod
    async def for_session(
        cls,
        session_id: str,
        config: DockerEnvironmentConfig,
        *,
        output_limit: int = 30000,
        client: Any = None,
    ) -> DockerEnvironment:
        """The environment of a conversation, shared by its runs (found again by any process)."""
        return await cls.open(
            config, scope="session", key=session_id, output_limit=output_limit, client=client
        )

    @classmethod
    async def for_run(
        cls,
        run_id: str,
        config: DockerEnvironmentConfig,
        *,
        output_limit: int = 30000,
        client: Any = None,
    ) -> DockerEnvironment:
        """An environment for one run; :meth:`destroy` it when the run ends."""
        return await cls.open(
            config, scope="run", key=run_id, output_limit=output_limit, client=client
        )

    async def destroy(self) -> None:
        """Remove the container and its workspace volume."""
        await self.close()

        def remove() -> None:
            with daemon_errors():
                try:
                    container = self._client.containers.get(self.container_id)
                except docker.errors.NotFound:
                    return
                remove_container(self._client, container)

        await asyncio.to_thread(remove)

    # -- plumbing ---------------------------------------------------------------------------

    def _with_container(self, call: Callable[[str], T]) -> T:
        """Run ``call(container_id)``; if the container was removed or stopped, bring it back."""
        with daemon_errors():
            try:
                return call(self.container_id)
            except docker.errors.APIError as exc:
                gone = isinstance(exc, docker.errors.NotFound) or exc.status_code == 409
                if not gone:
                    raise
            self.container_id = ensure_container(
                self._client, self.config, scope=self.scope, key=self.key
            )
            return call(self.container_id)

    async def _script(
        self,
        name: str,
        *args: str,
        stdin: bytes | None = None,
        limit: int = _LISTING_LIMIT,
        deadline: float | None = None,
    ) -> RawExec:
        """Run the script ``name`` of :data:`SCRIPTS` with ``args`` in the container."""
        if any("\x00" in arg for arg in args):
            raise SandboxToolError("arguments must not contain a NUL character")
        if deadline is None:
            deadline = time.monotonic() + _FILE_OP_DEADLINE
        if stdin is not None:
            argv = ["sh", "-c", SCRIPTS[name], "polos", *args]
            return await asyncio.to_thread(
                self._with_container,
                lambda cid: run_exec(
                    self._client.api, cid, argv, stdin=stdin, limit=limit, deadline=deadline
                ),
            )
        return await asyncio.to_thread(self._request, name, list(args), limit, deadline)

    def _request(self, name: str, args: list[str], limit: int, deadline: float) -> RawExec:
        """One request through a pooled shell channel, opening or replacing channels as needed."""
        for _ in range(3):
            with self._pool_lock:
                channel = self._idle.pop() if self._idle else None
            if channel is None:
                channel = self._with_container(lambda cid: ShellChannel(self._client.api, cid))
            try:
                raw = channel.request(name, args, limit=limit, deadline=deadline)
            except ChannelClosed as exc:
                channel.close()
                if name == "RUN" and exc.started:
                    return lost(limit)  # it may have done something: never run it twice
                # The container went away or restarted: the next channel brings it back.
                with daemon_errors():
                    self.container_id = ensure_container(
                        self._client, self.config, scope=self.scope, key=self.key
                    )
                continue
            if raw.deadline_passed:
                channel.close()  # its state is unknown now
            else:
                with self._pool_lock:
                    self._idle.append(channel)
            return raw
        return lost(limit)

    async def close(self) -> None:
        """Close this process's shell channels (the container stays)."""
        with self._pool_lock:
            channels, self._idle = self._idle, []
        for channel in channels:
            channel.close()

    # -- the six operations -----------------------------------------------------------------

    async def exec(
        self,
        command: str,
        *,
        timeout: float,
        cwd: str | None = None,
    ) -> ExecResult:
        """See :meth:`Environment.exec`."""
        if timeout <= 0:
            raise SandboxToolError("timeout must be a positive number of seconds")
        workdir = resolve(self.workspace, cwd)
        seconds = f"{timeout:g}"
        # The container enforces the timeout; this deadline only guards against a channel
        # that stopped answering.
        deadline = time.monotonic() + timeout + KILL_GRACE + 10
        raw = await self._script(
            "RUN",
            workdir,
            seconds,
            command,
            uuid.uuid4().hex,
            limit=self.output_limit,
            deadline=deadline,
        )
        stderr = raw.stderr.text()
        timed_out = raw.deadline_passed or (
            raw.exit_code == EXIT_TIMED_OUT and TIMEOUT_NOTICE.format(seconds) in stderr
        )
        out_of_memory = raw.exit_code == 137 and not timed_out and await self._oom_since(raw)
        if out_of_memory:
            stderr += f"\npolos: killed: out of memory (the limit is {self.config.memory})\n"
        return ExecResult(
            exit_code=raw.exit_code,
            stdout=raw.stdout.text(),
            stderr=stderr,
            timed_out=timed_out,
            out_of_memory=out_of_memory,
            stdout_cut_bytes=raw.stdout.cut,
            stderr_cut_bytes=raw.stderr.cut,
        )

    async def _oom_since(self, raw: RawExec) -> bool:
        """Whether the daemon saw an OOM kill in this container while the command ran."""
        with daemon_errors():
            return await asyncio.to_thread(
                oom_killed_since, self._client.api, self.container_id, raw.started
            )

    async def read(self, path: str, *, offset: int = 0, limit: int = READ_LIMIT) -> ReadResult:
        """See :meth:`Environment.read`."""
        if offset < 0 or limit < 1:
            raise SandboxToolError("offset must be 0 or more and limit 1 or more")
        target = resolve(self.workspace, path)
        first, last = offset + 1, offset + limit + 1  # one extra line tells whether more follow
        per_line = MAX_LINE_CHARS * 4 + 1
        raw = await self._script(
            "READ",
            self.workspace,
            target,
            str(first),
            str(last),
            str(per_line),
            limit=2 * (limit + 1) * (per_line + 1),
        )
        raise_for_exit(raw, self.workspace, target)
        text = raw.stdout.head()
        check_text(text, relative(self.workspace, target))
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        more = len(lines) > limit
        lines = lines[:limit]
        content, cut = number_lines(lines, first)
        return ReadResult(
            path=relative(self.workspace, target),
            content=content,
            start_line=first,
            lines=len(lines),
            more=more,
            long_lines_cut=cut,
        )

    async def _write_bytes(self, target: str, data: bytes) -> bool:
        raw = await self._script("WRITE", self.workspace, target, stdin=data, limit=4096)
        raise_for_exit(raw, self.workspace, target)
        return raw.stdout.text().strip() == "1"

    async def write(self, path: str, content: str) -> WriteResult:
        """See :meth:`Environment.write`."""
        target = resolve(self.workspace, path)
        if target == self.workspace:
            raise SandboxToolError("give a file path to write, not the workspace folder")
        data = content.encode("utf-8")
        created = await self._write_bytes(target, data)
        return WriteResult(
            path=relative(self.workspace, target), bytes_written=len(data), created=created
        )

    async def edit(self, path: str, old: str, new: str, *, replace_all: bool = False) -> EditResult:
        """See :meth:`Environment.edit`."""
        target = resolve(self.workspace, path)
        shown = relative(self.workspace, target)
        raw = await self._script("CAT", self.workspace, target, limit=2 * (EDIT_MAX_BYTES + 1))
        raise_for_exit(raw, self.workspace, target)
        if raw.stdout.cut:
            raise SandboxToolError(
                f"{shown} is larger than {EDIT_MAX_BYTES:,} bytes; edit it with exec (sed)."
            )
        try:
            text = raw.stdout.head().encode("utf-8", errors="surrogateescape").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SandboxToolError(f"{shown} is not UTF-8 text; it cannot be edited.") from exc
        check_text(text, shown)
        updated, count = apply_edit(text, old, new, replace_all=replace_all, path=shown)
        await self._write_bytes(target, updated.encode("utf-8"))
        return EditResult(path=shown, replacements=count)

    async def glob(self, pattern: str, *, path: str | None = None) -> GlobResult:
        """See :meth:`Environment.glob`."""
        pattern = check_glob(pattern)
        root = resolve(self.workspace, path)
        base, rest = glob_base(pattern)
        search = resolve(root, base) if base else root
        raw = await self._script("FIND", self.workspace, search, limit=2 * _LISTING_LIMIT)
        if raw.exit_code == EXIT_MISSING and base:
            return GlobResult(paths=[])
        raise_for_exit(raw, self.workspace, search)
        regex = glob_regex(rest)
        found = sorted(
            relative(self.workspace, posixpath.join(search, name))
            for name in listing(raw.stdout.head())
            if regex.match(name)
        )
        truncated = len(found) > GLOB_LIMIT or raw.stdout.cut > 0
        return GlobResult(paths=found[:GLOB_LIMIT], truncated=truncated)

    async def grep(
        self,
        pattern: str,
        *,
        path: str | None = None,
        glob: str | None = None,
        mode: GrepMode = "files",
        ignore_case: bool = False,
    ) -> GrepResult:
        """See :meth:`Environment.grep`. The pattern is a POSIX extended regex (``grep -E``)."""
        if not pattern:
            raise SandboxToolError("the search pattern is empty")
        root = resolve(self.workspace, path)
        name_glob, path_filter = split_grep_glob(glob)
        flag = {"files": "-l", "content": "-n", "count": "-c"}[mode]
        options = f"-E -H -s {flag}" + (" -i" if ignore_case else "")
        raw = await self._script(
            "GREP", self.workspace, root, pattern, options, name_glob, limit=2 * _LISTING_LIMIT
        )
        raise_for_exit(raw, self.workspace, root)
        return parse_grep(
            raw, mode=mode, root=root, workspace=self.workspace, path_filter=path_filter
        )
