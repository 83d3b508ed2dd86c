"""The one base class every environment implements: six async operations.

Tools are written once against :class:`Environment`; :class:`~sandbox._docker.DockerEnvironment`
and :class:`~sandbox._local.LocalEnvironment` implement it. Every operation either returns its
result model or raises :class:`~sandbox._errors.SandboxToolError` (the model can correct the
call) or :class:`~sandbox._errors.SandboxUnavailableError` (the environment is broken).

Paths are relative to the workspace or absolute inside it; anything that resolves outside
it (``..``, another absolute path, a symlink pointing out) is refused.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from sandbox._results import (
    EditResult,
    ExecResult,
    GlobResult,
    GrepMode,
    GrepResult,
    ReadResult,
    WriteResult,
)

READ_LIMIT = 2000
"""Lines returned by ``read`` unless the caller asks for fewer or more."""


class Environment(ABC):
    """A workspace where commands run and files are read, written, edited and searched.

    Example::

        env = await provider.get(run_id=run_id, session_id=thread_ts)
        await env.write("hello.py", "print('hi')\\n")
        result = await env.exec("python hello.py", timeout=60)
    """

    workspace: str
    """Absolute path of the workspace inside the environment."""

    @abstractmethod
    async def exec(
        self,
        command: str,
        *,
        timeout: float,
        cwd: str | None = None,
    ) -> ExecResult:
        """Run ``command`` with ``sh -c`` in the workspace (or ``cwd`` inside it).

        The command and every process it started are killed after ``timeout`` seconds,
        and also when the command ends (detach with ``setsid`` to keep a server running).
        stdout and stderr are each capped at the output limit, keeping head and tail.
        """

    @abstractmethod
    async def read(self, path: str, *, offset: int = 0, limit: int = READ_LIMIT) -> ReadResult:
        """Lines ``offset + 1`` to ``offset + limit`` of a text file, numbered like ``cat -n``."""

    @abstractmethod
    async def write(self, path: str, content: str) -> WriteResult:
        """Write ``content`` to ``path``, creating parent folders, replacing any old content."""

    @abstractmethod
    async def edit(self, path: str, old: str, new: str, *, replace_all: bool = False) -> EditResult:
        """Replace ``old`` by ``new``; ``old`` must match exactly once unless ``replace_all``."""

    @abstractmethod
    async def glob(self, pattern: str, *, path: str | None = None) -> GlobResult:
        """Files matching a glob (``**/*.py``) under ``path`` (default: the workspace)."""

    @abstractmethod
    async def grep(
        self,
        pattern: str,
        *,
        path: str | None = None,
        glob: str | None = None,
        mode: GrepMode = "files",
        ignore_case: bool = False,
    ) -> GrepResult:
        """Search files for an extended regular expression.

        ``mode="files"`` lists matching files, ``"content"`` the matching lines with their
        numbers, ``"count"`` the number of matching lines per file. ``glob`` filters files.
        """

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release what this object holds in the process (the environment itself stays)."""
