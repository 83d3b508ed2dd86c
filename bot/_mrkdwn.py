"""Markdown from the model to Slack mrkdwn, and long answers split into message-sized chunks.

Example:
    ```python
    to_mrkdwn("**Done**: see [the log](https://ci/1) & `a < b`")
    # '*Done*: see <https://ci/1|the log> &amp; `a < b`'
    split_message(long_answer, limit=3_900)  # chunks that each fit in one message
    ```

Code spans and fenced code blocks are kept verbatim: no other rule touches them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MESSAGE_LIMIT = 3_900
"""Characters per message: Slack advises at most 4,000 in a message's text."""


_MIN_LIMIT = 20
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^(\s*)[-*+][ \t]+(?=\S)")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = re.compile(r"^(\s*(?:>[ \t]?)+)")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_LINK = re.compile(r"!?\[([^\]\n]+)\]\(\s*<?([^\s)>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^\s>]+)>")
# Mentions and channel links the model may echo back must stay live.
_SLACK_TOKEN = re.compile(r"<(?:[@#!][A-Za-z0-9^|_.-]+)(?:\|[^>\n]*)?>")
_BOLD_ITALIC = re.compile(r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")

# Private-use characters stand in for converted bold markers and kept pieces while the
# other rules run, so a `*` produced by one rule is never read again by the next.
_BOLD_MARK = "\ue000"
_KEEP_OPEN = "\ue001"
_KEEP_CLOSE = "\ue002"


def to_mrkdwn(markdown: str) -> str:
    """Convert Markdown (as models write it) to Slack mrkdwn.

    ``**b**`` becomes ``*b*``, ``*i*`` and ``_i_`` become ``_i_``, ``~~s~~`` becomes ``~s~``,
    headings become bold lines, ``[text](url)`` becomes ``<url|text>``, list bullets become
    ``•``, and ``&``, ``<``, ``>`` are escaped outside code. Code is left untouched (a fence's
    language tag is dropped: Slack would show it as code).
    """
    out: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            out.append("```")
        elif fence is not None:
            if _fence_after(fence, line) is None:
                fence = None
                out.append("```")
                continue
            out.append(line)
        else:
            out.append(_convert_line(line))
    return "\n".join(out)


def _convert_line(line: str) -> str:
    if _RULE.match(line):
        return "\u2500" * 12
    heading = _HEADING.match(line)
    if heading:
        content = _convert_inline(heading.group(1)).replace("*", "")
        return f"*{content}*" if content else ""
    quote = _QUOTE.match(line)
    prefix = ""
    if quote:
        prefix = "> " * quote.group(1).count(">")
        line = line[quote.end() :]
    line = _BULLET.sub(lambda m: f"{m.group(1)}• ", line)
    return prefix + _convert_inline(line)


def _convert_inline(text: str) -> str:
    kept: list[str] = []

    def keep(piece: str) -> str:
        kept.append(piece)
        return f"{_KEEP_OPEN}{len(kept) - 1}{_KEEP_CLOSE}"

    def code(match: re.Match[str]) -> str:
        body = match.group(2)
        # Slack knows single backticks only; keep longer spans as written when needed.
        return keep(f"`{body}`" if "`" not in body else match.group(0))

    def link(match: re.Match[str]) -> str:
        label = _escape(match.group(1)).replace("|", "\u2223")
        return keep(f"<{_escape(match.group(2))}|{label}>")

    text = _CODE_SPAN.sub(code, text)
    text = _LINK.sub(link, text)
    text = _AUTOLINK.sub(lambda m: keep(f"<{_escape(m.group(1))}>"), text)
    text = _SLACK_TOKEN.sub(lambda m: keep(m.group(0)), text)
    text = _escape(text)
    text = _BOLD_ITALIC.sub(lambda m: f"{_BOLD_MARK}_{m.group(1)}_{_BOLD_MARK}", text)
    text = _BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(1) or m.group(2)}{_BOLD_MARK}", text)
    text = _ITALIC.sub(lambda m: f"_{m.group(1)}_", text)
    text = _STRIKE.sub(lambda m: f"~{m.group(1)}~", text)
    text = text.replace(_BOLD_MARK, "*")
    return re.sub(f"{_KEEP_OPEN}(\\d+){_KEEP_CLOSE}", lambda m: kept[int(m.group(1))], text)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True, slots=True)
class Cut:
    """Where to cut a text that is too long: ``text[:index]`` goes first.

    ``fence`` is the opening fence line (e.g. ```` ```python ````) when the cut falls inside
    a code block: the first part must then end with ``closing_fence(fence)`` and the rest start
    with ``fence + "\\n"``.
    """

    index: int
    fence: str | None


def find_cut(text: str, limit: int) -> Cut:
    """The best place to cut ``text`` so the first part fits in ``limit`` characters.

    Prefers the last paragraph break, then the last line break, then the last space; cuts
    hard only inside a line longer than the limit. Room for a closing fence is kept when
    the cut falls inside a code block. ``index`` is always at least 1.
    """
    if limit < _MIN_LIMIT:
        raise ValueError(f"limit must be at least {_MIN_LIMIT} characters")
    if len(text) <= limit:
        return Cut(len(text), None)
    best_line: Cut | None = None
    best_paragraph: Cut | None = None
    fence: str | None = None
    start = 0
    while True:
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        after = _fence_after(fence, line)
        room = limit - (len(closing_fence(after)) if after else 0)
        if end < 0 or end + 1 > room:
            break
        fence = after
        start = end + 1
        best_line = Cut(start, fence)
        if not line.strip() or text.startswith("\n", start):
            best_paragraph = best_line
    # Cutting right after an opening fence line moves nothing forward: the next part would
    # start with the same fence again.
    first_end = text.find("\n") + 1
    useless = first_end if _FENCE.match(text[: max(first_end - 1, 0)]) else 0
    for candidate in (best_paragraph, best_line):
        if candidate is not None and candidate.index >= max(limit // 2, useless + 1):
            return candidate
    # The line that crosses the limit is long: cut it at a space, or hard.
    room = limit - (len(closing_fence(fence)) if fence else 0)
    space = text.rfind(" ", start, room)
    if space > start:
        return Cut(space + 1, fence)
    if best_line is not None and best_line.index > useless:
        return best_line
    return Cut(max(1, room), fence)


def open_fence(text: str) -> str | None:
    """The opening fence line of the code block still open at the end of ``text``, if any."""
    fence: str | None = None
    for line in text.split("\n")[:-1]:
        fence = _fence_after(fence, line)
    return fence


def closing_fence(fence: str) -> str:
    """The line (with its newline before it) that closes the block ``fence`` opened."""
    match = _FENCE.match(fence)
    return "\n" + (match.group(1) if match else "```")


def _fence_after(fence: str | None, line: str) -> str | None:
    """The open fence after ``line``, given the one open before it."""
    match = _FENCE.match(line)
    if match is None:
        return fence
    if fence is None:
        return line.strip()
    marker = closing_fence(fence)[1:]
    mark = match.group(1)
    closes = mark[0] == marker[0] and len(mark) >= len(marker) and not match.group(2).strip()
    return None if closes else fence


def split_message(text: str, *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters, at paragraph or line
    boundaries when possible. A code block that spans a cut is closed at the end of one
    chunk and reopened (with its language) at the start of the next.
    """
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = find_cut(rest, limit)
        head = rest[: cut.index].rstrip("\n")
        tail = rest[cut.index :]
        if cut.fence is None:
            chunks.append(head)
            rest = tail.lstrip("\n")
        else:
            chunks.append(head + closing_fence(cut.fence))
            rest = f"{cut.fence}\n{tail}"
    chunks.append(rest)
    return [chunk for chunk in chunks if chunk.strip()] or [""]
