"""The public surface of bot.emulator: explicit, sorted and complete."""

from __future__ import annotations

import bot.emulator


def test_all_is_sorted() -> None:
    assert bot.emulator.__all__ == sorted(bot.emulator.__all__)


def test_all_lists_every_public_name() -> None:
    public = {name for name in vars(bot.emulator) if not name.startswith("_")}
    public -= {"driver"}  # the submodule itself
    assert public == set(bot.emulator.__all__)
