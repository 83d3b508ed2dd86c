"""``@workflow``: durable functions, their registry, and invocations of them."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from pydantic import TypeAdapter, ValidationError

from agents._errors import UserError

if TYPE_CHECKING:
    from agents._client import PolosClient, RunHandle
    from agents._context import WorkflowContext

InputT = TypeVar("InputT")
OutputT = TypeVar("OutputT")

WorkflowFunction = Callable[..., Awaitable[Any]]

_registry: dict[str, Workflow[Any, Any]] = {}


def get_workflow(workflow_id: str) -> Workflow[Any, Any] | None:
    """The workflow registered under ``workflow_id`` in this process, if any."""
    return _registry.get(workflow_id)


def registered_workflow_ids() -> list[str]:
    """The ids of every workflow registered in this process, sorted."""
    return sorted(_registry)


def register(workflow: Workflow[Any, Any]) -> None:
    """Make ``workflow`` runnable by workers in this process. A later registration under the
    same id replaces the earlier one (a module imported again, a test redefining it)."""
    _registry[workflow.id] = workflow


@dataclass(frozen=True, slots=True)
class Invocation(Generic[OutputT]):
    """A workflow with its input, ready to start as a child run
    (``ctx.step.invoke_and_wait(key, my_workflow.with_input(x))``)."""

    workflow: Workflow[Any, OutputT]
    input: Any
    metadata: dict[str, Any] | None = None
    concurrency_key: str | None = None
    timeout: float | None = None


class Workflow(Generic[InputT, OutputT]):
    """A durable function: each run's steps are checkpointed and replayed after a crash.

    Create one with :func:`workflow`. Start runs with :meth:`run` (wait for the result) or
    :meth:`start` (get a handle).
    """

    def __init__(
        self,
        fn: WorkflowFunction,
        *,
        id: str | None = None,
        timeout: float | None = None,
        max_recovery_attempts: int = 10,
        input_type: Any = None,
    ) -> None:
        if not inspect.iscoroutinefunction(fn):
            raise UserError(
                f"@workflow needs an async function; {fn.__qualname__} is not (write `async def`)"
            )
        parameters = list(inspect.signature(fn).parameters.values())
        if not 1 <= len(parameters) <= 2:
            raise UserError(
                f"workflow {fn.__qualname__} must take (ctx) or (ctx, input); "
                f"it takes {len(parameters)} parameters"
            )
        self.fn = fn
        self.id = id or fn.__name__
        self.timeout = timeout
        self.max_recovery_attempts = max_recovery_attempts
        self.takes_input = len(parameters) == 2
        if input_type is not None:
            self._input_adapter: TypeAdapter[Any] | None = TypeAdapter(input_type)
        elif self.takes_input:
            self._input_adapter = self._adapter_for(fn, parameters)
        else:
            self._input_adapter = None
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__module__ = fn.__module__
        register(self)

    @staticmethod
    def _adapter_for(
        fn: WorkflowFunction, parameters: list[inspect.Parameter]
    ) -> TypeAdapter[Any] | None:
        try:
            hints = typing.get_type_hints(fn)
        except Exception:
            hints = {}
        annotation = hints.get(parameters[1].name)
        if annotation is None or annotation is Any:
            return None
        return TypeAdapter(annotation)

    def validate_input(self, value: Any) -> Any:
        """Check (and convert) an input against the workflow's input annotation."""
        if not self.takes_input:
            if value is not None:
                raise UserError(f"workflow {self.id!r} takes no input, but one was given")
            return None
        if self._input_adapter is None:
            return value
        try:
            return self._input_adapter.validate_python(value)
        except ValidationError as exc:
            raise UserError(f"input for workflow {self.id!r} is not valid: {exc}") from None

    async def execute(self, ctx: WorkflowContext, input: Any) -> Any:
        """Call the workflow function (used by the worker)."""
        if self.takes_input:
            return await self.fn(ctx, self.validate_input(input))
        return await self.fn(ctx)

    def decode_result(self, value: Any) -> Any:
        """Turn a stored result back into what callers expect (agents rebuild structured
        output here); the default returns it as stored."""
        return value

    async def __call__(self, ctx: WorkflowContext, input: Any = None) -> OutputT:
        """Call the function inline, inside another workflow's run (no run of its own)."""
        return typing.cast(OutputT, await self.execute(ctx, input))

    def with_input(
        self,
        input: InputT,
        *,
        metadata: dict[str, Any] | None = None,
        concurrency_key: str | None = None,
        timeout: float | None = None,
    ) -> Invocation[OutputT]:
        """This workflow with ``input``, to start as a child run."""
        return Invocation(self, input, metadata, concurrency_key, timeout)

    async def start(
        self,
        client: PolosClient,
        input: InputT | None = None,
        *,
        idempotency_key: str | None = None,
        metadata: dict[str, Any] | None = None,
        concurrency_key: str | None = None,
        timeout: float | None = None,
    ) -> RunHandle[OutputT]:
        """Queue a run and return its handle. Starting again with the same
        ``idempotency_key`` returns the run that key started, never a second one."""
        return await client.start(
            self,
            input,
            idempotency_key=idempotency_key,
            metadata=metadata,
            concurrency_key=concurrency_key,
            timeout=timeout,
        )

    async def run(
        self,
        client: PolosClient,
        input: InputT | None = None,
        *,
        idempotency_key: str | None = None,
        metadata: dict[str, Any] | None = None,
        concurrency_key: str | None = None,
        timeout: float | None = None,
    ) -> OutputT:
        """Start a run and wait for its result (raises what the run raised)."""
        handle = await self.start(
            client,
            input,
            idempotency_key=idempotency_key,
            metadata=metadata,
            concurrency_key=concurrency_key,
            timeout=timeout,
        )
        return await handle.result()

    def __repr__(self) -> str:
        return f"<Workflow {self.id!r}>"


@overload
def workflow(fn: Callable[[Any, InputT], Awaitable[OutputT]], /) -> Workflow[InputT, OutputT]: ...


@overload
def workflow(
    *,
    id: str | None = None,
    timeout: float | None = None,
    max_recovery_attempts: int = 10,
) -> Callable[[Callable[[Any, InputT], Awaitable[OutputT]]], Workflow[InputT, OutputT]]: ...


def workflow(
    fn: Callable[..., Awaitable[Any]] | None = None,
    /,
    *,
    id: str | None = None,
    timeout: float | None = None,
    max_recovery_attempts: int = 10,
) -> Any:
    """Make an ``async def f(ctx: WorkflowContext, input: Model)`` durable.

    Example::

        @workflow
        async def greet(ctx: WorkflowContext, input: GreetInput) -> str:
            name = await ctx.step.run("lookup", lookup_name, input.user_id)
            return f"Hello {name}"

        result = await greet.run(client, GreetInput(user_id=7))

    Args:
        id: The workflow's id in the store (default: the function's name).
        timeout: Seconds from start after which a run fails with ``RunTimeoutError``.
        max_recovery_attempts: How many times a run may be recovered after its worker died
            before it fails instead of looping.
    """

    def decorate(function: Callable[..., Awaitable[Any]]) -> Workflow[Any, Any]:
        return Workflow(
            function, id=id, timeout=timeout, max_recovery_attempts=max_recovery_attempts
        )

    if fn is not None:
        return decorate(fn)
    return decorate
