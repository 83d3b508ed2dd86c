"""Reading what the container scripts answered: exit codes as errors, listings, grep lines."""

from __future__ import annotations

import posixpath
import re
import time

from sandbox._docker_exec import RawExec
from sandbox._errors import SandboxToolError
from sandbox._output import CappedBuffer
from sandbox._paths import outside_message, relative
from sandbox._results import GrepCount, GrepMatch, GrepMode, GrepResult
from sandbox._scripts import (
    EXIT_BAD_REGEX,
    EXIT_DIRECTORY,
    EXIT_MISSING,
    EXIT_NOT_DIRECTORY,
    EXIT_OUTSIDE,
    EXIT_WRITE_FAILED,
)
from sandbox._text import GREP_LIMIT, check_glob, cut_line, glob_regex

_CONTENT_LINE = re.compile(r"^(.*?):(\d+):(.*)$", re.DOTALL)


def raise_for_exit(raw: RawExec, workspace: str, path: str) -> None:
    """Raise the model-facing error for a file script's exit code (nothing if it is 0)."""
    code = raw.exit_code
    if code == 0:
        return
    shown = relative(workspace, path)
    detail = raw.stderr.text().strip()
    if code == EXIT_OUTSIDE:
        where = f" (it resolves to {detail})" if detail else ""
        raise SandboxToolError(outside_message(shown, workspace) + where)
    if code == EXIT_MISSING:
        raise SandboxToolError(f"{shown} does not exist. Use glob to find the right path.")
    if code == EXIT_DIRECTORY:
        raise SandboxToolError(f"{shown} is a folder; use glob to list its files.")
    if code == EXIT_NOT_DIRECTORY:
        raise SandboxToolError(f"{shown} is a file, not a folder.")
    if code == EXIT_BAD_REGEX:
        raise SandboxToolError(f"invalid regular expression: {detail}")
    if code == EXIT_WRITE_FAILED:
        raise SandboxToolError(f"cannot write {shown}: {detail or 'write failed'}")
    raise SandboxToolError(f"operation on {shown} failed (exit {code}): {detail}")


def lost(limit: int) -> RawExec:
    """The result of a command whose shell went away while it ran."""
    err = CappedBuffer(limit)
    err.feed(
        b"polos: the sandbox shell went away while the command ran (the container stopped, "
        b"or the command killed it); the command was not run again\n"
    )
    now = time.time()
    return RawExec(
        exit_code=None, stdout=CappedBuffer(limit), stderr=err, started=now, finished=now
    )


def listing(text: str, *, strip_dot: bool = True) -> list[str]:
    """Non-empty lines of ``find`` output, without the leading ``./``."""
    names = [line for line in text.split("\n") if line]
    if strip_dot:
        return [name.removeprefix("./") for name in names if name != "."]
    return names


def split_grep_glob(glob: str | None) -> tuple[str, re.Pattern[str] | None]:
    """A grep file filter as a ``find -name`` glob when it names files only, else a regex
    over paths below the search folder."""
    if not glob:
        return "", None
    glob = check_glob(glob)
    name = glob.removeprefix("**/")
    if "/" not in name:
        return name, None
    return "", glob_regex(glob)


def parse_grep(
    raw: RawExec,
    *,
    mode: GrepMode,
    root: str,
    workspace: str,
    path_filter: re.Pattern[str] | None,
) -> GrepResult:
    """Turn ``grep -H`` output (``-l``, ``-n`` or ``-c``) into a capped :class:`GrepResult`."""
    result = GrepResult(mode=mode, truncated=raw.stdout.cut > 0)

    def keep(found: str) -> str | None:
        full = posixpath.normpath(posixpath.join(root, found))
        if path_filter is not None and not path_filter.match(posixpath.relpath(full, root)):
            return None
        return relative(workspace, full)

    lines = listing(raw.stdout.head(), strip_dot=False)
    if mode == "files":
        result.files = sorted(p for p in map(keep, lines) if p is not None)
    elif mode == "count":
        for line in lines:
            name, _, count = line.rpartition(":")
            shown = keep(name)
            if shown is not None and count.isdigit() and int(count) > 0:
                result.counts.append(GrepCount(path=shown, count=int(count)))
        result.counts.sort(key=lambda c: c.path)
    else:
        for line in lines:
            match = _CONTENT_LINE.match(line)
            shown = keep(match.group(1)) if match else None
            if match and shown is not None:
                text = cut_line(match.group(3))
                result.matches.append(GrepMatch(path=shown, line=int(match[2]), text=text))
        result.matches.sort(key=lambda m: (m.path, m.line))
    total = max(len(result.files), len(result.counts), len(result.matches))
    if total > GREP_LIMIT:
        result.truncated = True
        result.files = result.files[:GREP_LIMIT]
        result.counts = result.counts[:GREP_LIMIT]
        result.matches = result.matches[:GREP_LIMIT]
    return result
