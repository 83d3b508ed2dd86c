"""Each package's ``__all__`` is sorted and lists exactly its public names."""

from __future__ import annotations

import importlib
import types

import pytest


@pytest.mark.parametrize("package", ["agents", "polos"])
def test_all_is_sorted_and_complete(package: str) -> None:
    module = importlib.import_module(package)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert module.__all__ == sorted(module.__all__)
    assert set(module.__all__) == public


def test_every_name_polos_exports_comes_from_the_room_that_defines_it() -> None:
    import polos

    for name in polos.__all__:
        assert getattr(polos, name).__module__.split(".")[0] in ("agents", "sandbox", "bot")


def test_the_engine_names_of_the_seed_page_import_from_polos() -> None:
    from polos import PolosClient, WorkflowContext, workflow

    assert callable(workflow) and PolosClient and WorkflowContext
