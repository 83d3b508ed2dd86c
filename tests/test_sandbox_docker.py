"""The six operations of the Docker environment, against a real daemon and a real container.

One container is shared by the tests of this module (each test works in its own folder).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox._config import DockerEnvironmentConfig
from sandbox._docker import DockerEnvironment
from sandbox._errors import SandboxToolError
from sandbox._results import ExecResult, GrepResult
from sandbox._text import GLOB_LIMIT, MAX_LINE_CHARS

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def env(docker_api: Any, docker_config: DockerEnvironmentConfig) -> Iterator[DockerEnvironment]:
    opened = DockerEnvironment.for_session(f"ops-{uuid.uuid4()}", docker_config, client=docker_api)
    environment = asyncio.run(opened)
    yield environment
    asyncio.run(environment.destroy())


@pytest.fixture
def folder() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


async def test_exec_returns_stdout_stderr_and_exit_code(env: DockerEnvironment) -> None:
    result = await env.exec("echo out; echo err >&2; exit 3", timeout=30)
    assert (result.exit_code, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert not result.timed_out and not result.out_of_memory and not result.truncated


async def test_exec_runs_in_the_workspace_as_a_non_root_user(env: DockerEnvironment) -> None:
    result = await env.exec("pwd; id -u", timeout=30)
    assert result.stdout == "/workspace\n1000\n"


async def test_exec_runs_in_the_given_folder(env: DockerEnvironment, folder: str) -> None:
    await env.write(f"{folder}/sub/x.txt", "x")
    result = await env.exec("pwd; ls", timeout=30, cwd=f"{folder}/sub")
    assert result.stdout == f"/workspace/{folder}/sub\nx.txt\n"


async def test_exec_result_survives_a_json_round_trip(env: DockerEnvironment) -> None:
    result = await env.exec("printf 'caf\\303\\251'", timeout=30)
    assert ExecResult.model_validate_json(result.model_dump_json()) == result
    assert result.stdout == "café"


async def test_read_numbers_lines_like_cat_n(env: DockerEnvironment, folder: str) -> None:
    await env.write(f"{folder}/a.txt", "alpha\nbeta\n")
    result = await env.read(f"{folder}/a.txt")
    assert result.content == "     1\talpha\n     2\tbeta"
    assert (result.start_line, result.lines, result.more) == (1, 2, False)


async def test_read_honours_offset_and_limit(env: DockerEnvironment, folder: str) -> None:
    await env.write(f"{folder}/n.txt", "".join(f"line {i}\n" for i in range(1, 11)))
    result = await env.read(f"/workspace/{folder}/n.txt", offset=3, limit=2)
    assert result.content == "     4\tline 4\n     5\tline 5"
    assert result.more is True


async def test_read_cuts_very_long_lines(env: DockerEnvironment, folder: str) -> None:
    await env.write(f"{folder}/long.txt", "x" * 50_000 + "\nshort\n")
    result = await env.read(f"{folder}/long.txt")
    first, second = result.content.split("\n")
    assert first == "     1\t" + "x" * MAX_LINE_CHARS + " [line cut]"
    assert second == "     2\tshort"
    assert result.long_lines_cut == 1


async def test_read_of_a_missing_file_says_so(env: DockerEnvironment) -> None:
    with pytest.raises(SandboxToolError, match=r"nope\.txt does not exist"):
        await env.read("nope.txt")


async def test_read_of_a_folder_says_so(env: DockerEnvironment, folder: str) -> None:
    await env.write(f"{folder}/in/x", "x")
    with pytest.raises(SandboxToolError, match="is a folder"):
        await env.read(f"{folder}/in")


async def test_write_creates_parent_folders(env: DockerEnvironment, folder: str) -> None:
    result = await env.write(f"{folder}/deep/er/file.py", "print('hi')\n")
    assert (result.path, result.bytes_written, result.created) == (
        f"{folder}/deep/er/file.py",
        12,
        True,
    )
    check = await env.exec(f"cat {folder}/deep/er/file.py", timeout=30)
    assert check.stdout == "print('hi')\n"


async def test_write_replaces_an_existing_file(env: DockerEnvironment, folder: str) -> None:
    await env.write(f"{folder}/f.txt", "old content that is longer")
    result = await env.write(f"{folder}/f.txt", "new")
    assert result.created is False
    assert (await env.exec(f"cat {folder}/f.txt", timeout=30)).stdout == "new"


async def test_edit_replaces_a_unique_match(env: DockerEnvironment, folder: str) -> None:
    await env.write(f"{folder}/e.py", "a = 1\nb = 2\n")
    result = await env.edit(f"{folder}/e.py", "b = 2", "b = 3")
    assert result.replacements == 1
    assert (await env.exec(f"cat {folder}/e.py", timeout=30)).stdout == "a = 1\nb = 3\n"


async def test_edit_of_an_ambiguous_match_lists_its_lines(
    env: DockerEnvironment, folder: str
) -> None:
    await env.write(f"{folder}/e.py", "x = 1\ny = 2\nx = 1\n")
    with pytest.raises(SandboxToolError, match=r"matches 2 places .*lines 1, 3"):
        await env.edit(f"{folder}/e.py", "x = 1", "x = 9")
    assert (await env.exec(f"cat {folder}/e.py", timeout=30)).stdout == "x = 1\ny = 2\nx = 1\n"


async def test_edit_replace_all_changes_every_match(env: DockerEnvironment, folder: str) -> None:
    await env.write(f"{folder}/e.py", "x = 1\ny = 2\nx = 1\n")
    result = await env.edit(f"{folder}/e.py", "x = 1", "x = 9", replace_all=True)
    assert result.replacements == 2
    assert (await env.exec(f"cat {folder}/e.py", timeout=30)).stdout == "x = 9\ny = 2\nx = 9\n"


async def test_edit_of_absent_text_says_it_was_not_found(
    env: DockerEnvironment, folder: str
) -> None:
    await env.write(f"{folder}/e.py", "x = 1\n")
    with pytest.raises(SandboxToolError, match="was not found"):
        await env.edit(f"{folder}/e.py", "y = 1", "y = 2")


async def test_glob_returns_sorted_matching_paths(env: DockerEnvironment, folder: str) -> None:
    for name in ("b.py", "a.py", "src/c.py", "src/deep/d.py", "notes.txt"):
        await env.write(f"{folder}/{name}", "")
    everywhere = await env.glob("**/*.py", path=folder)
    assert everywhere.paths == [
        f"{folder}/a.py",
        f"{folder}/b.py",
        f"{folder}/src/c.py",
        f"{folder}/src/deep/d.py",
    ]
    top = await env.glob(f"{folder}/*.py")
    assert top.paths == [f"{folder}/a.py", f"{folder}/b.py"]


async def test_glob_caps_the_number_of_paths(env: DockerEnvironment, folder: str) -> None:
    await env.exec(f"mkdir {folder} && cd {folder} && touch $(seq 1 {GLOB_LIMIT + 5})", timeout=30)
    result = await env.glob("*", path=folder)
    assert len(result.paths) == GLOB_LIMIT
    assert result.truncated is True


async def _grep_tree(env: DockerEnvironment, folder: str) -> None:
    await env.write(f"{folder}/a.py", "import os\nTODO: one\n")
    await env.write(f"{folder}/b.txt", "todo later\nTODO: two\nTODO: three\n")
    await env.write(f"{folder}/src/c.py", "nothing here\n")


async def test_grep_lists_matching_files(env: DockerEnvironment, folder: str) -> None:
    await _grep_tree(env, folder)
    result = await env.grep("TODO", path=folder)
    assert result.files == [f"{folder}/a.py", f"{folder}/b.txt"]


async def test_grep_content_gives_lines_and_numbers(env: DockerEnvironment, folder: str) -> None:
    await _grep_tree(env, folder)
    result = await env.grep("TODO: t[a-z]+", path=folder, mode="content")
    found = [(m.path, m.line, m.text) for m in result.matches]
    assert found == [(f"{folder}/b.txt", 2, "TODO: two"), (f"{folder}/b.txt", 3, "TODO: three")]
    assert GrepResult.model_validate_json(result.model_dump_json()) == result


async def test_grep_count_counts_lines_per_file(env: DockerEnvironment, folder: str) -> None:
    await _grep_tree(env, folder)
    result = await env.grep("todo", path=folder, mode="count", ignore_case=True)
    assert [(c.path, c.count) for c in result.counts] == [
        (f"{folder}/a.py", 1),
        (f"{folder}/b.txt", 3),
    ]


async def test_grep_glob_filters_files(env: DockerEnvironment, folder: str) -> None:
    await _grep_tree(env, folder)
    assert (await env.grep("o", path=folder, glob="*.py")).files == [
        f"{folder}/a.py",
        f"{folder}/src/c.py",
    ]
    assert (await env.grep("o", path=folder, glob="src/**/*.py")).files == [f"{folder}/src/c.py"]


async def test_grep_of_an_invalid_regex_says_so(env: DockerEnvironment) -> None:
    with pytest.raises(SandboxToolError, match="invalid regular expression"):
        await env.grep("a(b")


async def test_exec_runs_multi_line_commands_with_quotes(env: DockerEnvironment) -> None:
    command = "printf '%s\\n' \"it's\" 'say \"hi\"'\necho $((6 * 7))"
    result = await env.exec(command, timeout=30)
    assert result.stdout == 'it\'s\nsay "hi"\n42\n'


async def test_exec_gives_commands_an_empty_stdin(env: DockerEnvironment) -> None:
    result = await env.exec("cat; echo done", timeout=30)
    assert result.stdout == "done\n"


async def test_concurrent_operations_each_get_their_own_output(env: DockerEnvironment) -> None:
    commands = [f"sleep 0.{i}; echo {i}; echo e{i} >&2" for i in range(6)]
    results = await asyncio.gather(*(env.exec(c, timeout=30) for c in commands))
    assert [(r.stdout, r.stderr) for r in results] == [(f"{i}\n", f"e{i}\n") for i in range(6)]


async def test_output_without_a_final_newline_is_kept_whole(env: DockerEnvironment) -> None:
    result = await env.exec("printf 'no newline'; printf 'err' >&2", timeout=30)
    assert (result.stdout, result.stderr) == ("no newline", "err")
