"""Each package's ``__all__`` is sorted and lists exactly its public names."""

from __future__ import annotations

import importlib
import types

import pytest


@pytest.mark.parametrize("package", ["agents", "polos", "sandbox"])
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
        value = getattr(polos, name)
        members = value.__args__ if isinstance(value, types.UnionType) else (value,)
        for member in members:
            assert member.__module__.split(".")[0] in ("agents", "sandbox", "bot"), name


def test_every_name_the_seed_page_imports_comes_from_polos() -> None:
    import polos

    seed_names = {
        "PolosClient", "Agent", "tool", "WorkflowContext", "workflow", "sandbox_tools",
        "SandboxToolsConfig", "DockerEnvironmentConfig", "max_steps", "max_tokens",
        "MaxStepsConfig", "MaxTokensConfig",
    }  # fmt: skip
    assert seed_names <= set(polos.__all__)
