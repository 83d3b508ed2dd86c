"""Text handling shared by every environment: numbered lines, edits, glob patterns, caps."""

from __future__ import annotations

import re
from functools import lru_cache

from sandbox._errors import SandboxToolError

MAX_LINE_CHARS = 2000
"""A longer line in ``read`` output is cut here."""
GLOB_LIMIT = 200
"""Paths returned by ``glob``."""
GREP_LIMIT = 200
"""Files, lines or counts returned by ``grep``."""
GREP_LINE_CHARS = 500
"""A longer matching line in ``grep`` output is cut here."""
EDIT_MAX_BYTES = 10 * 1024 * 1024
"""Largest file ``edit`` will load."""


def number_lines(lines: list[str], start_line: int) -> tuple[str, int]:
    """Lines formatted like ``cat -n`` and how many were cut at :data:`MAX_LINE_CHARS`."""
    out: list[str] = []
    cut = 0
    for number, line in enumerate(lines, start=start_line):
        if len(line) > MAX_LINE_CHARS:
            line = line[:MAX_LINE_CHARS] + " [line cut]"
            cut += 1
        out.append(f"{number:6d}\t{line}")
    return "\n".join(out), cut


def check_text(data: str, path: str) -> None:
    """Refuse binary content (a NUL byte), which the model cannot read or edit usefully."""
    if "\x00" in data:
        raise SandboxToolError(f"{path} looks like a binary file; it cannot be shown as text.")


def _line_numbers(text: str, needle: str) -> list[int]:
    numbers: list[int] = []
    start = text.find(needle)
    while start != -1:
        numbers.append(text.count("\n", 0, start) + 1)
        start = text.find(needle, start + 1)
    return numbers


def apply_edit(text: str, old: str, new: str, *, replace_all: bool, path: str) -> tuple[str, int]:
    """``text`` with ``old`` replaced by ``new``, and the number of replacements.

    Raises:
        SandboxToolError: ``old`` is empty, equal to ``new``, absent, or (without
            ``replace_all``) found more than once; the message lists the lines of the matches.
    """
    if not old:
        raise SandboxToolError("old text is empty; give the exact text to replace.")
    if old == new:
        raise SandboxToolError("old and new text are the same; nothing would change.")
    count = text.count(old)
    if count == 0:
        raise SandboxToolError(
            f"the old text was not found in {path}. Read the file and copy the text exactly, "
            "including whitespace and indentation."
        )
    if count > 1 and not replace_all:
        lines = ", ".join(str(n) for n in _line_numbers(text, old)[:20])
        raise SandboxToolError(
            f"the old text matches {count} places in {path} (lines {lines}). Include more "
            "surrounding lines to make it unique, or set replace_all to replace every one."
        )
    if replace_all:
        return text.replace(old, new), count
    return text.replace(old, new, 1), 1


@lru_cache(maxsize=128)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob over ``/``-separated relative paths.

    ``*`` and ``?`` stay within one path segment, ``**/`` matches any number of folders
    (none included), ``[...]`` is a character class.
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z")


def glob_base(pattern: str) -> tuple[str, str]:
    """Split a glob into its literal leading folders and the rest (``src/**/*.py``)."""
    parts = pattern.split("/")
    base: list[str] = []
    for part in parts[:-1]:
        if any(ch in part for ch in "*?["):
            break
        base.append(part)
    rest = "/".join(parts[len(base) :])
    return "/".join(base), rest


def check_glob(pattern: str) -> str:
    """Normalise a glob or say why it cannot be used."""
    pattern = pattern.strip()
    if not pattern:
        raise SandboxToolError("the glob pattern is empty; try '**/*.py'.")
    if pattern.startswith("/") or ".." in pattern.split("/"):
        raise SandboxToolError(
            "glob patterns are relative to the search folder; pass the folder as path."
        )
    return pattern.removeprefix("./")


def cut_line(text: str) -> str:
    """A grep line, shortened to :data:`GREP_LINE_CHARS`."""
    if len(text) > GREP_LINE_CHARS:
        return text[:GREP_LINE_CHARS] + " [line cut]"
    return text
