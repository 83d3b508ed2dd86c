"""How tool results read to the model."""

from __future__ import annotations

from sandbox._results import EditResult, ExecResult, GlobResult, GrepResult, ReadResult


def render_exec(result: ExecResult) -> str:
    """Exit code, then stdout and stderr, with what was cut or killed said plainly."""
    if result.timed_out:
        head = "timed out: the command and its children were killed"
    elif result.out_of_memory:
        head = "out of memory: the command was killed (exit 137)"
    elif result.exit_code is None:
        head = "the command ended the shell; no exit code"
    else:
        head = f"exit code {result.exit_code}"
    parts = [head]
    if result.stdout:
        parts.append(f"stdout:\n{result.stdout}")
    if result.stderr:
        parts.append(f"stderr:\n{result.stderr}")
    if result.stdout_cut_bytes or result.stderr_cut_bytes:
        parts.append(
            f"(output cut: {result.stdout_cut_bytes} bytes of stdout and "
            f"{result.stderr_cut_bytes} bytes of stderr were left out in the middle)"
        )
    return "\n".join(parts)


def render_read(result: ReadResult) -> str:
    """Numbered lines, and how to read on."""
    text = result.content or "(empty file)"
    notes = []
    if result.more:
        next_offset = result.start_line - 1 + result.lines
        notes.append(f"(more lines follow: read again with offset={next_offset})")
    if result.long_lines_cut:
        notes.append(f"({result.long_lines_cut} long lines were cut)")
    return "\n".join([text, *notes])


def render_edit(result: EditResult) -> str:
    """How many replacements were made."""
    plural = "" if result.replacements == 1 else "s"
    return f"replaced {result.replacements} occurrence{plural} in {result.path}"


def render_glob(result: GlobResult) -> str:
    """One path a line."""
    if not result.paths:
        return "no files match"
    note = ["(more files match; narrow the pattern)"] if result.truncated else []
    return "\n".join([*result.paths, *note])


def render_grep(result: GrepResult) -> str:
    """Files, ``path:line:text`` matches, or ``path:count`` by mode."""
    if result.mode == "files":
        lines = list(result.files)
    elif result.mode == "content":
        lines = [f"{m.path}:{m.line}:{m.text}" for m in result.matches]
    else:
        lines = [f"{c.path}:{c.count}" for c in result.counts]
    if not lines:
        return "no matches"
    if result.truncated:
        lines.append("(more matches; narrow the pattern or path)")
    return "\n".join(lines)
