"""The local environment: the six operations on the host, confined to one folder.

Each command runs in its own process group (``start_new_session``), killed as a group on
timeout and when it ends. File operations resolve symlinks with ``realpath`` and refuse
anything outside the folder. Whether a command may run at all is decided before, by the
tool layer with :func:`sandbox._policy.exec_policy`: this class runs what it is given.

``grep`` uses Python regular expressions here (``grep -E`` in Docker); the common syntax
(classes, groups, alternation, ``+ ? {n}``, anchors) means the same in both.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from sandbox._config import LocalEnvironmentConfig
from sandbox._environment import READ_LIMIT, Environment
from sandbox._errors import SandboxToolError
from sandbox._output import CappedBuffer
from sandbox._paths import inside, outside_message, relative, resolve
from sandbox._results import (
    EditResult,
    ExecResult,
    GlobResult,
    GrepCount,
    GrepMatch,
    GrepMode,
    GrepResult,
    ReadResult,
    WriteResult,
)
from sandbox._scripts import TIMEOUT_NOTICE
from sandbox._text import (
    EDIT_MAX_BYTES,
    GLOB_LIMIT,
    GREP_LIMIT,
    apply_edit,
    check_glob,
    check_text,
    cut_line,
    glob_base,
    glob_regex,
    number_lines,
)

KILL_GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL on timeout."""
_DRAIN = 5.0
_SNIFF = 8192


def _kill_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def _pump(stream: asyncio.StreamReader | None, buffer: CappedBuffer) -> None:
    if stream is None:
        return
    while chunk := await stream.read(65536):
        buffer.feed(chunk)


class LocalEnvironment(Environment):
    """The host, in ``config.cwd``.

    Example::

        env = LocalEnvironment(LocalEnvironmentConfig(cwd="/srv/project"))
        if exec_policy(cmd, env.config.exec_security, env.config.allowlist) == "allow":
            result = await env.exec(cmd, timeout=120)
    """

    def __init__(self, config: LocalEnvironmentConfig, *, output_limit: int = 30000) -> None:
        self.config = config
        self.output_limit = output_limit
        self.workspace = os.path.realpath(config.cwd)

    def _path(self, path: str | None) -> str:
        """Absolute path inside the workspace, symlinks resolved."""
        lexical = resolve(self.workspace, path)
        real = os.path.realpath(lexical)
        if not inside(self.workspace, real):
            shown = path or "."
            raise SandboxToolError(
                outside_message(shown, self.workspace) + f" (it resolves to {real})"
            )
        return real

    def _shown(self, path: str) -> str:
        return relative(self.workspace, path)

    def _folder(self, path: str | None) -> str:
        real = self._path(path)
        if not os.path.isdir(real):
            raise SandboxToolError(f"{self._shown(real)} is not a folder")
        return real

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
        workdir = await asyncio.to_thread(self._folder, cwd)
        out, err = CappedBuffer(self.output_limit), CappedBuffer(self.output_limit)
        process = await asyncio.create_subprocess_exec(
            "/bin/sh",
            "-c",
            command,
            cwd=workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        readers = asyncio.gather(_pump(process.stdout, out), _pump(process.stderr, err))
        timed_out = False
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            timed_out = True
            _kill_group(process.pid, signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), KILL_GRACE)
        finally:
            # Whatever the command left behind goes with it (also when this task is cancelled).
            _kill_group(process.pid, signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), KILL_GRACE)
        # A detached grandchild may hold the pipes open: keep what arrived by then.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(readers, _DRAIN)
        code = process.returncode
        if code is not None and code < 0:
            code = 128 - code
        stderr = err.text()
        if timed_out:
            code = 124
            stderr += TIMEOUT_NOTICE.format(f"{timeout:g}") + "\n"
        return ExecResult(
            exit_code=code,
            stdout=out.text(),
            stderr=stderr,
            timed_out=timed_out,
            stdout_cut_bytes=out.cut,
            stderr_cut_bytes=err.cut,
        )

    def _existing_file(self, path: str) -> str:
        real = self._path(path)
        if not os.path.exists(real):
            shown = self._shown(real)
            raise SandboxToolError(f"{shown} does not exist. Use glob to find the right path.")
        if os.path.isdir(real):
            raise SandboxToolError(f"{self._shown(real)} is a folder; use glob to list its files.")
        return real

    # The file operations do blocking I/O: each runs whole in a worker thread.

    async def read(self, path: str, *, offset: int = 0, limit: int = READ_LIMIT) -> ReadResult:
        """See :meth:`Environment.read`."""
        if offset < 0 or limit < 1:
            raise SandboxToolError("offset must be 0 or more and limit 1 or more")
        return await asyncio.to_thread(self._read, path, offset, limit)

    def _read(self, path: str, offset: int, limit: int) -> ReadResult:
        real = self._existing_file(path)
        shown = self._shown(real)
        with open(real, "rb") as handle:
            check_text(handle.read(_SNIFF).decode("latin-1"), shown)
            handle.seek(0)
            raw = list(islice(handle, offset, offset + limit + 1))
        lines = [line.rstrip(b"\n").decode("utf-8", errors="replace") for line in raw]
        more = len(lines) > limit
        lines = lines[:limit]
        content, cut = number_lines(lines, offset + 1)
        return ReadResult(
            path=shown,
            content=content,
            start_line=offset + 1,
            lines=len(lines),
            more=more,
            long_lines_cut=cut,
        )

    async def write(self, path: str, content: str) -> WriteResult:
        """See :meth:`Environment.write`."""
        return await asyncio.to_thread(self._write, path, content)

    def _write(self, path: str, content: str) -> WriteResult:
        real = self._path(path)
        shown = self._shown(real)
        if os.path.isdir(real):
            raise SandboxToolError(f"{shown} is a folder; give a file path to write.")
        data = content.encode("utf-8")
        created = not os.path.exists(real)
        try:
            Path(real).parent.mkdir(parents=True, exist_ok=True)
            Path(real).write_bytes(data)
        except OSError as exc:
            raise SandboxToolError(f"cannot write {shown}: {exc.strerror}") from exc
        return WriteResult(path=shown, bytes_written=len(data), created=created)

    async def edit(self, path: str, old: str, new: str, *, replace_all: bool = False) -> EditResult:
        """See :meth:`Environment.edit`."""
        return await asyncio.to_thread(self._edit, path, old, new, replace_all)

    def _edit(self, path: str, old: str, new: str, replace_all: bool) -> EditResult:
        real = self._existing_file(path)
        shown = self._shown(real)
        if os.path.getsize(real) > EDIT_MAX_BYTES:
            raise SandboxToolError(
                f"{shown} is larger than {EDIT_MAX_BYTES:,} bytes; edit it with exec (sed)."
            )
        try:
            text = Path(real).read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SandboxToolError(f"{shown} is not UTF-8 text; it cannot be edited.") from exc
        check_text(text, shown)
        updated, count = apply_edit(text, old, new, replace_all=replace_all, path=shown)
        Path(real).write_bytes(updated.encode("utf-8"))
        return EditResult(path=shown, replacements=count)

    def _walk(self, root: str) -> Iterator[str]:
        """Paths of files and symlinks below ``root``, relative to it, skipping ``.git``."""
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git"]
            rel = os.path.relpath(folder, root)
            prefix = "" if rel == "." else rel + "/"
            linked = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
            for name in (*files, *linked):
                yield prefix + name

    async def glob(self, pattern: str, *, path: str | None = None) -> GlobResult:
        """See :meth:`Environment.glob`."""
        return await asyncio.to_thread(self._glob, check_glob(pattern), path)

    def _glob(self, pattern: str, path: str | None) -> GlobResult:
        root = self._path(path)
        if not os.path.isdir(root):
            raise SandboxToolError(f"{self._shown(root)} is not a folder.")
        base, rest = glob_base(pattern)
        search = self._path(os.path.join(root, base)) if base else root
        if not os.path.isdir(search):
            return GlobResult(paths=[])
        regex = glob_regex(rest)
        found = sorted(
            self._shown(os.path.join(search, name))
            for name in self._walk(search)
            if regex.match(name)
        )
        return GlobResult(paths=found[:GLOB_LIMIT], truncated=len(found) > GLOB_LIMIT)

    async def grep(
        self,
        pattern: str,
        *,
        path: str | None = None,
        glob: str | None = None,
        mode: GrepMode = "files",
        ignore_case: bool = False,
    ) -> GrepResult:
        """See :meth:`Environment.grep`. The pattern is a Python regular expression here."""
        if not pattern:
            raise SandboxToolError("the search pattern is empty")
        try:
            regex = re.compile(pattern, re.IGNORECASE if ignore_case else 0)
        except re.error as exc:
            raise SandboxToolError(f"invalid regular expression: {exc}") from exc
        return await asyncio.to_thread(self._grep, regex, path, _file_filter(glob), mode)

    def _grep(
        self,
        regex: re.Pattern[str],
        path: str | None,
        file_filter: re.Pattern[str] | None,
        mode: GrepMode,
    ) -> GrepResult:
        root = self._path(path)
        if not os.path.exists(root):
            raise SandboxToolError(f"{self._shown(root)} does not exist.")
        if os.path.isfile(root):
            candidates = [(root, os.path.basename(root))]
        else:
            candidates = [(os.path.join(root, rel), rel) for rel in sorted(self._walk(root))]
        result = GrepResult(mode=mode)
        for full, rel in candidates:
            if file_filter is not None and not file_filter.match(rel):
                continue
            if not os.path.isfile(full) or not inside(self.workspace, os.path.realpath(full)):
                continue
            hits = self._grep_file(full, regex, stop=1 if mode == "files" else GREP_LIMIT + 1)
            if not hits:
                continue
            shown = self._shown(full)
            if mode == "files":
                result.files.append(shown)
            elif mode == "count":
                result.counts.append(GrepCount(path=shown, count=self._count(full, regex)))
            else:
                result.matches.extend(
                    GrepMatch(path=shown, line=n, text=cut_line(t)) for n, t in hits
                )
            if max(len(result.files), len(result.counts), len(result.matches)) > GREP_LIMIT:
                result.truncated = True
                break
        result.files = result.files[:GREP_LIMIT]
        result.counts = result.counts[:GREP_LIMIT]
        result.matches = result.matches[:GREP_LIMIT]
        return result

    @staticmethod
    def _lines(full: str) -> Iterator[tuple[int, str]]:
        with open(full, "rb") as handle:
            if b"\x00" in handle.read(_SNIFF):
                return  # binary: not searched
            handle.seek(0)
            for number, raw in enumerate(handle, start=1):
                yield number, raw.rstrip(b"\n").decode("utf-8", errors="replace")

    def _grep_file(self, full: str, regex: re.Pattern[str], *, stop: int) -> list[tuple[int, str]]:
        try:
            return list(islice(((n, t) for n, t in self._lines(full) if regex.search(t)), stop))
        except OSError:
            return []

    def _count(self, full: str, regex: re.Pattern[str]) -> int:
        return sum(1 for _, text in self._lines(full) if regex.search(text))


def _file_filter(glob: str | None) -> re.Pattern[str] | None:
    """Which files grep searches: a glob without ``/`` matches names at any depth (as
    ``find -name`` does in Docker), one with ``/`` matches paths below the search folder."""
    if not glob:
        return None
    pattern = check_glob(glob)
    if "/" not in pattern.removeprefix("**/"):
        pattern = "**/" + pattern.removeprefix("**/")
    return glob_regex(pattern)
