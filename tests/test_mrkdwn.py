"""Markdown to Slack mrkdwn, and splitting long answers into messages."""

from __future__ import annotations

import pytest

from bot._mrkdwn import closing_fence, find_cut, open_fence, split_message, to_mrkdwn

# -- to_mrkdwn ------------------------------------------------------------------------------


def test_double_star_bold_becomes_single_star() -> None:
    assert to_mrkdwn("a **bold** word") == "a *bold* word"


def test_double_underscore_bold_becomes_single_star() -> None:
    assert to_mrkdwn("a __bold__ word") == "a *bold* word"


def test_star_italic_becomes_underscore() -> None:
    assert to_mrkdwn("an *italic* word") == "an _italic_ word"


def test_underscore_italic_is_kept() -> None:
    assert to_mrkdwn("an _italic_ word") == "an _italic_ word"


def test_bold_italic_becomes_both() -> None:
    assert to_mrkdwn("***both***") == "*_both_*"


def test_bold_inside_italic_is_not_read_twice() -> None:
    assert to_mrkdwn("**bold** and *it*") == "*bold* and _it_"


def test_strikethrough_uses_one_tilde() -> None:
    assert to_mrkdwn("~~gone~~") == "~gone~"


def test_heading_becomes_a_bold_line() -> None:
    assert to_mrkdwn("## Results **now**") == "*Results now*"


def test_link_becomes_slack_link() -> None:
    assert to_mrkdwn("see [the log](https://ci.example/1)") == "see <https://ci.example/1|the log>"


def test_ampersand_in_link_url_is_escaped() -> None:
    assert to_mrkdwn("[q](https://x.example/?a=1&b=2)") == "<https://x.example/?a=1&amp;b=2|q>"


def test_autolink_is_kept_as_a_link() -> None:
    assert to_mrkdwn("<https://x.example>") == "<https://x.example>"


def test_ampersand_and_angle_brackets_are_escaped_outside_code() -> None:
    assert to_mrkdwn("a < b & c > d") == "a &lt; b &amp; c &gt; d"


def test_slack_mentions_stay_live() -> None:
    assert to_mrkdwn("thanks <@U0ALICE001> in <#C0GENERAL1>") == (
        "thanks <@U0ALICE001> in <#C0GENERAL1>"
    )


def test_code_span_is_verbatim() -> None:
    assert to_mrkdwn("run `a **b** < c & d`") == "run `a **b** < c & d`"


def test_fenced_code_block_is_verbatim_and_loses_its_language() -> None:
    markdown = "Look:\n```python\nx = a**2 < b & c  # *not italic*\n```\nok"
    assert to_mrkdwn(markdown) == "Look:\n```\nx = a**2 < b & c  # *not italic*\n```\nok"


def test_unclosed_fence_keeps_the_rest_verbatim() -> None:
    assert to_mrkdwn("```\n**still code**") == "```\n**still code**"


def test_dash_and_star_bullets_become_bullets() -> None:
    assert to_mrkdwn("- one\n* two\n  + three") == "• one\n• two\n  • three"


def test_numbered_list_is_kept() -> None:
    assert to_mrkdwn("1. first\n2. second") == "1. first\n2. second"


def test_blockquote_marker_is_not_escaped() -> None:
    assert to_mrkdwn("> quoted & said") == "> quoted &amp; said"


def test_snake_case_identifiers_are_not_italicised() -> None:
    assert to_mrkdwn("call my_long_name now") == "call my_long_name now"


def test_multiplication_stars_are_left_alone() -> None:
    assert to_mrkdwn("2 * 3 * 4") == "2 * 3 * 4"


# -- split_message ---------------------------------------------------------------------------


def test_short_text_is_one_chunk() -> None:
    assert split_message("hello", limit=100) == ["hello"]


def test_chunks_respect_the_limit() -> None:
    text = "\n\n".join(f"paragraph {i} " + "word " * 20 for i in range(20))
    assert all(len(chunk) <= 200 for chunk in split_message(text, limit=200))


def test_split_prefers_paragraph_breaks() -> None:
    first, second = "a" * 60, "b" * 60
    assert split_message(f"{first}\n\n{second}", limit=100) == [first, second]


def test_split_falls_back_to_line_breaks() -> None:
    lines = "\n".join(f"line {i:02d}" for i in range(30))
    chunks = split_message(lines, limit=100)
    assert all(chunk.startswith("line ") and chunk[-2:].isdigit() for chunk in chunks)


def test_split_cuts_a_long_line_at_a_space() -> None:
    chunks = split_message("word " * 50, limit=60)
    assert len(chunks) > 1
    assert all(set(chunk.split()) == {"word"} for chunk in chunks)


def test_split_cuts_a_line_without_spaces_hard() -> None:
    assert split_message("x" * 250, limit=100) == ["x" * 100, "x" * 100, "x" * 50]


def test_split_never_loses_text() -> None:
    text = "\n\n".join(f"p{i} " + "lorem ipsum " * (i % 7 + 1) for i in range(40))
    chunks = split_message(text, limit=150)
    assert " ".join(" ".join(chunks).split()) == " ".join(text.split())


def test_code_block_across_a_cut_is_closed_and_reopened_with_its_language() -> None:
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(40)) + "\n```"
    chunks = split_message(code, limit=120)
    assert len(chunks) > 1
    assert all(c.startswith("```python\n") and c.endswith("```") for c in chunks)


def test_code_block_chunks_stay_under_the_limit_with_the_fences() -> None:
    code = "```\n" + "\n".join("y" * 30 for _ in range(40)) + "\n```"
    assert all(len(chunk) <= 100 for chunk in split_message(code, limit=100))


def test_find_cut_reports_the_open_fence() -> None:
    text = "```sh\n" + "echo hi\n" * 30
    cut = find_cut(text, 60)
    assert cut.fence == "```sh" and cut.index + len(closing_fence(cut.fence)) <= 60


def test_open_fence_is_none_after_a_closed_block() -> None:
    assert open_fence("```\ncode\n```\ntext") is None


def test_find_cut_rejects_a_tiny_limit() -> None:
    with pytest.raises(ValueError):
        find_cut("some text", 3)


def test_horizontal_rule_becomes_a_line() -> None:
    assert to_mrkdwn("above\n\n---\n\nbelow") == "above\n\n" + "\u2500" * 12 + "\n\nbelow"


def test_tilde_code_block_is_closed_with_tildes() -> None:
    chunks = split_message("~~~\n" + "\n".join(f"line {i}" for i in range(30)) + "\n~~~", limit=80)
    assert len(chunks) > 1
    assert all(c.startswith("~~~\n") and c.endswith("\n~~~") for c in chunks)


def test_backtick_fence_inside_a_tilde_block_does_not_close_it() -> None:
    assert open_fence("~~~\n```\nstill code\n") == "~~~"


def test_code_line_longer_than_the_limit_is_cut_hard_and_kept_in_code() -> None:
    chunks = split_message("```\n" + "x" * 500 + "\n```", limit=100)
    assert all(c.startswith("```\n") and c.endswith("\n```") and len(c) <= 100 for c in chunks)
    assert "".join(c[4:-4] for c in chunks).replace("\n", "") == "x" * 500
