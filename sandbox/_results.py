"""Results of the six sandbox operations: small, JSON-serialisable pydantic models.

They are stored in durable step checkpoints, so they hold plain data only. Paths in results
are relative to the workspace (``src/app.py``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

GrepMode = Literal["files", "content", "count"]


class ExecResult(BaseModel):
    """What a command did. ``*_cut_bytes`` say how much of the middle of a stream was cut."""

    exit_code: int | None
    stdout: str
    stderr: str
    timed_out: bool = False
    out_of_memory: bool = False
    stdout_cut_bytes: int = 0
    stderr_cut_bytes: int = 0

    @property
    def truncated(self) -> bool:
        """Whether part of stdout or stderr was cut to fit the output limit."""
        return self.stdout_cut_bytes > 0 or self.stderr_cut_bytes > 0


class ReadResult(BaseModel):
    """Lines of a file numbered like ``cat -n`` (``start_line`` is 1-based)."""

    path: str
    content: str
    start_line: int
    lines: int
    more: bool
    long_lines_cut: int = 0


class WriteResult(BaseModel):
    """A file written (``created`` when it did not exist before)."""

    path: str
    bytes_written: int
    created: bool


class EditResult(BaseModel):
    """A file edited by replacing text."""

    path: str
    replacements: int


class GlobResult(BaseModel):
    """Paths matching a pattern, sorted; ``truncated`` when more matched than were kept."""

    paths: list[str]
    truncated: bool = False


class GrepMatch(BaseModel):
    """One matching line."""

    path: str
    line: int
    text: str


class GrepCount(BaseModel):
    """How many lines of one file match."""

    path: str
    count: int


class GrepResult(BaseModel):
    """Matches of a pattern; which list is filled depends on ``mode``."""

    mode: GrepMode
    files: list[str] = []
    matches: list[GrepMatch] = []
    counts: list[GrepCount] = []
    truncated: bool = False
