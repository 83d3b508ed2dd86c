"""The local environment: real processes and files on the host, confined to one folder."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from sandbox._config import LocalEnvironmentConfig
from sandbox._errors import SandboxToolError
from sandbox._local import LocalEnvironment
from sandbox._text import GLOB_LIMIT


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    return folder


@pytest.fixture
def env(workspace: Path) -> LocalEnvironment:
    return LocalEnvironment(LocalEnvironmentConfig(cwd=workspace), output_limit=2000)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def _gone(pid: int) -> bool:
    """Whether ``pid`` is gone (a signal lands a moment after it is sent)."""
    for _ in range(100):
        if not _alive(pid):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_exec_returns_stdout_stderr_and_exit_code(env: LocalEnvironment) -> None:
    result = await env.exec("echo out; echo err >&2; exit 3", timeout=30)
    assert (result.exit_code, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert not result.timed_out


async def test_exec_runs_in_the_workspace_or_the_given_folder(
    env: LocalEnvironment, workspace: Path
) -> None:
    (workspace / "sub").mkdir()
    assert (await env.exec("pwd", timeout=30)).stdout == f"{workspace}\n"
    assert (await env.exec("pwd", timeout=30, cwd="sub")).stdout == f"{workspace}/sub\n"


async def test_exec_runs_in_its_own_process_group(env: LocalEnvironment) -> None:
    result = await env.exec("ps -o pgid= -p $$; echo $$", timeout=30)
    pgid, pid = result.stdout.split()
    assert pgid == pid != str(os.getpgrp())


async def test_timeout_kills_the_command_and_its_children(
    env: LocalEnvironment, workspace: Path
) -> None:
    result = await env.exec("sleep 300 & echo $! > child.pid; sleep 300", timeout=1)
    assert result.timed_out is True and result.exit_code == 124
    assert await _gone(int((workspace / "child.pid").read_text()))


async def test_ten_megabytes_of_output_are_capped_keeping_head_and_tail(
    env: LocalEnvironment,
) -> None:
    command = "echo START; head -c 10000000 /dev/zero | tr '\\0' x; echo; echo END"
    result = await env.exec(command, timeout=60)
    assert result.stdout.startswith("START\n") and result.stdout.endswith("x\nEND\n")
    assert result.stdout_cut_bytes == 6 + 10_000_001 + 4 - 2000
    assert "bytes of output cut" in result.stdout


async def test_read_numbers_lines_and_honours_offset_and_limit(
    env: LocalEnvironment, workspace: Path
) -> None:
    (workspace / "n.txt").write_text("".join(f"line {i}\n" for i in range(1, 11)))
    result = await env.read("n.txt", offset=3, limit=2)
    assert result.content == "     4\tline 4\n     5\tline 5"
    assert (result.start_line, result.lines, result.more) == (4, 2, True)


async def test_read_of_a_missing_file_says_so(env: LocalEnvironment) -> None:
    with pytest.raises(SandboxToolError, match="does not exist"):
        await env.read("nope.txt")


async def test_write_creates_parent_folders(env: LocalEnvironment, workspace: Path) -> None:
    result = await env.write("a/b/c.txt", "hello")
    assert (result.path, result.created) == ("a/b/c.txt", True)
    assert (workspace / "a/b/c.txt").read_text() == "hello"


async def test_edit_requires_a_unique_match(env: LocalEnvironment, workspace: Path) -> None:
    (workspace / "e.py").write_text("x = 1\ny = 2\nx = 1\n")
    with pytest.raises(SandboxToolError, match=r"matches 2 places .*lines 1, 3"):
        await env.edit("e.py", "x = 1", "x = 9")
    result = await env.edit("e.py", "y = 2", "y = 3")
    assert result.replacements == 1
    assert (workspace / "e.py").read_text() == "x = 1\ny = 3\nx = 1\n"


async def test_glob_returns_sorted_paths_and_caps_them(
    env: LocalEnvironment, workspace: Path
) -> None:
    for name in ("b.py", "a.py", "src/c.py", "notes.txt"):
        (workspace / name).parent.mkdir(exist_ok=True)
        (workspace / name).write_text("")
    assert (await env.glob("**/*.py")).paths == ["a.py", "b.py", "src/c.py"]
    many = workspace / "many"
    many.mkdir()
    for i in range(GLOB_LIMIT + 5):
        (many / f"{i}.log").write_text("")
    capped = await env.glob("many/*.log")
    assert len(capped.paths) == GLOB_LIMIT and capped.truncated


async def test_grep_modes(env: LocalEnvironment, workspace: Path) -> None:
    (workspace / "a.py").write_text("import os\nTODO: one\n")
    (workspace / "b.txt").write_text("todo later\nTODO: two\n")
    assert (await env.grep("TODO")).files == ["a.py", "b.txt"]
    content = await env.grep("TODO: t\\w+", mode="content")
    assert [(m.path, m.line, m.text) for m in content.matches] == [("b.txt", 2, "TODO: two")]
    counts = await env.grep("todo", mode="count", ignore_case=True)
    assert [(c.path, c.count) for c in counts.counts] == [("a.py", 1), ("b.txt", 2)]
    assert (await env.grep("o", glob="*.py")).files == ["a.py"]


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "etc-link/passwd"])
async def test_paths_outside_the_folder_are_refused(
    env: LocalEnvironment, workspace: Path, path: str
) -> None:
    (workspace / "etc-link").symlink_to("/etc")
    with pytest.raises(SandboxToolError, match="outside the workspace"):
        await env.read(path)
    with pytest.raises(SandboxToolError, match="outside the workspace"):
        await env.write(path, "x")


async def test_a_symlink_out_cannot_be_written_through(
    env: LocalEnvironment, workspace: Path, tmp_path: Path
) -> None:
    (workspace / "out").symlink_to(tmp_path)
    with pytest.raises(SandboxToolError, match="outside the workspace"):
        await env.write("out/escaped.txt", "x")
    assert not (tmp_path / "escaped.txt").exists()
