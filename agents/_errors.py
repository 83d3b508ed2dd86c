"""Errors raised by polos.

Hierarchy::

    Exception
     └── PolosError                     root of everything polos raises on purpose
          ├── UserError                 a developer mistake: fix the code or the configuration
          │    ├── NonDeterminismError  replay met a different step than the one stored
          │    ├── SerializationError   a step output or run input that is not JSON
          │    └── UnknownWorkflowError no workflow registered under that id
          ├── StoreError                the database cannot be reached or used
          ├── RunError                  a run did not produce a result
          │    ├── RunFailedError       the workflow raised; carries the stored error
          │    ├── RunCancelledError
          │    └── RunTimeoutError
          ├── StepFailedError           a replayed step error whose class cannot be rebuilt
          ├── OutputValidationError     the model's answer did not match the output schema
          ├── ToolError                 a tool's answer for the model (sent verbatim, as an error)
          └── ProviderError             an LLM provider failed (see ``agents.providers``)
               ├── ProviderAuthError
               ├── ProviderRateLimitError
               ├── ProviderUnavailableError
               ├── ProviderTimeoutError
               └── ProviderResponseError

    BaseException
     └── RunInterrupt                   unwinds a run; user code cannot swallow it by accident
          ├── SuspendRun                the run waits for a resume, a child run or a timer
          └── LeaseLost                 another executor owns the run now; stop quietly

Errors that are stored (step errors, run errors) keep their type name, message and
JSON-able fields so they can be re-raised on replay and shown to users.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class PolosError(Exception):
    """Root of the errors polos raises on purpose."""


class UserError(PolosError):
    """A developer mistake: the message says what to change."""


class NonDeterminismError(UserError):
    """Replay met a different step function than the one recorded under the same key."""

    def __init__(self, run_id: str, step_key: str, recorded: str, called: str) -> None:
        self.run_id = run_id
        self.step_key = step_key
        self.recorded = recorded
        self.called = called
        super().__init__(
            f"run {run_id}: step {step_key!r} was recorded as {recorded!r} but replay called "
            f"{called!r}. A workflow must call the same steps in the same order on every "
            "replay; give a new step a new key instead of reusing one."
        )


class SerializationError(UserError):
    """A value that has to be stored is not JSON serialisable."""


class UnknownWorkflowError(UserError):
    """No workflow with that id is registered in this process."""


class StoreError(PolosError):
    """The database cannot be reached or used."""


class RunError(PolosError):
    """A run ended without a result."""

    def __init__(self, run_id: str, message: str) -> None:
        self.run_id = run_id
        super().__init__(message)


class RunFailedError(RunError):
    """The workflow raised; ``error_type`` and ``error_message`` come from the stored error."""

    def __init__(self, run_id: str, error_type: str, error_message: str) -> None:
        self.error_type = error_type
        self.error_message = error_message
        super().__init__(run_id, f"run {run_id} failed: {error_type}: {error_message}")


class RunCancelledError(RunError):
    """The run was cancelled."""

    def __init__(self, run_id: str) -> None:
        super().__init__(run_id, f"run {run_id} was cancelled")


class RunTimeoutError(RunError):
    """The run passed its deadline."""

    def __init__(self, run_id: str, timeout: float | None = None) -> None:
        self.timeout = timeout
        detail = f" of {timeout:g} s" if timeout is not None else ""
        super().__init__(run_id, f"run {run_id} passed its timeout{detail}")


class StepFailedError(PolosError):
    """A stored step error whose original exception class could not be rebuilt on replay."""

    def __init__(self, step_key: str, error_type: str, error_message: str) -> None:
        self.step_key = step_key
        self.error_type = error_type
        self.error_message = error_message
        super().__init__(f"step {step_key!r} failed: {error_type}: {error_message}")


class OutputValidationError(PolosError):
    """The model's final answer did not match the agent's ``output_schema``, even after a
    repair turn."""


class ToolError(PolosError):
    """Raised by a tool to tell the model something went wrong; the message reaches the
    model as it is (other exceptions reach it as ``Type: message``)."""


class ProviderError(PolosError):
    """An LLM provider call failed after the retries it was allowed."""

    def __init__(self, provider: str, message: str, *, status_code: int | None = None) -> None:
        self.provider = provider
        self.status_code = status_code
        super().__init__(message)


class ProviderAuthError(ProviderError):
    """The provider refused the API key (401/403)."""


class ProviderRateLimitError(ProviderError):
    """The provider kept answering 429 after all retries."""


class ProviderUnavailableError(ProviderError):
    """The provider kept failing (5xx, connection errors, cut streams) after all retries."""


class ProviderTimeoutError(ProviderError):
    """The provider did not answer in time."""


class ProviderResponseError(ProviderError):
    """The provider answered with something that cannot be used (malformed, refused request)."""


class RunInterrupt(BaseException):
    """Unwinds a run without failing it. A ``BaseException`` so ``except Exception`` in user
    code cannot swallow it by accident."""


class SuspendRun(RunInterrupt):
    """The run waits: for a resume, a child run or a durable timer."""

    def __init__(self, reason: str, step_key: str) -> None:
        self.reason = reason
        self.step_key = step_key
        super().__init__(f"run suspended at step {step_key!r} ({reason})")


class LeaseLost(RunInterrupt):
    """Another executor took the run (or it was cancelled); this one must stop quietly."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"this worker no longer holds run {run_id}")


def _json_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def error_payload(exc: BaseException) -> dict[str, Any]:
    """The stored shape of an exception: type path, message, JSON-able args and attributes."""
    cls = type(exc)
    args = list(exc.args) if all(_json_scalar(a) for a in exc.args) else None
    fields = {
        name: value
        for name, value in vars(exc).items()
        if not name.startswith("_") and _json_scalar(value)
    }
    return {
        "type": f"{cls.__module__}:{cls.__qualname__}",
        "message": str(exc),
        "args": args,
        "fields": fields,
    }


def rebuild_error(
    payload: dict[str, Any], *, missing: Callable[[str, str], Exception]
) -> Exception:
    """The exception described by :func:`error_payload`, as close to the original as possible.

    The class is imported by path and filled in without calling its ``__init__`` (whose
    signature is unknown), so ``str()`` and public attributes match the original. A class
    that cannot be imported becomes ``missing(type_path, message)``.
    """
    type_path = str(payload.get("type", "builtins:Exception"))
    message = str(payload.get("message", ""))
    cls = _import_exception(type_path)
    if cls is None:
        return missing(type_path, message)
    exc = cls.__new__(cls)
    args = payload.get("args")
    Exception.__init__(exc, *(args if isinstance(args, list) else [message]))
    fields = payload.get("fields")
    if isinstance(fields, dict):
        exc.__dict__.update(fields)
    return exc


def _import_exception(type_path: str) -> type[Exception] | None:
    import importlib

    module_name, _, qualname = type_path.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError, ValueError):
        return None
    if isinstance(obj, type) and issubclass(obj, Exception):
        return obj
    return None
