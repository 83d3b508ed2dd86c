"""``@tool``: functions an agent's model may call, with their input schema and approval."""

from __future__ import annotations

import functools
import inspect
import json
import typing
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from pydantic import BaseModel, ValidationError

from agents._errors import UserError
from agents._messages import ToolSpec

if TYPE_CHECKING:
    from agents._context import WorkflowContext

OutputT = TypeVar("OutputT")

ApprovalCheck = Callable[[Any], bool | Awaitable[bool]]
"""Given the validated input, says whether this call needs a person's approval."""

Approval = Literal["always"] | ApprovalCheck | None


class ToolOutcome(BaseModel):
    """What a tool call gave back to the model: the content and whether it is an error.
    Stored as the tool step's output, so a replay gives the model the same answer."""

    content: str
    is_error: bool = False


class ToolInputError(Exception):
    """The model's arguments do not fit the tool's input; the message is for the model."""


class Tool:
    """A function the model can call. Create one with :func:`tool`."""

    def __init__(
        self,
        fn: Callable[..., Awaitable[Any]],
        *,
        description: str,
        name: str | None = None,
        approval: Approval = None,
    ) -> None:
        if not inspect.iscoroutinefunction(fn):
            raise UserError(f"@tool needs an async function; {fn.__qualname__} is not")
        parameters = list(inspect.signature(fn).parameters.values())
        if not 1 <= len(parameters) <= 2:
            raise UserError(
                f"tool {fn.__qualname__} must take (ctx, input: SomeModel) or (ctx); "
                f"it takes {len(parameters)} parameters"
            )
        if approval not in (None, "always") and not callable(approval):
            raise UserError(f"tool approval must be None, 'always' or a function, not {approval!r}")
        self.fn = fn
        self.name = name or fn.__name__
        self.description = description
        self.approval = approval
        self.input_model = self._input_model(fn, parameters)
        self.__doc__ = fn.__doc__

    @staticmethod
    def _input_model(
        fn: Callable[..., Any], parameters: list[inspect.Parameter]
    ) -> type[BaseModel] | None:
        if len(parameters) < 2:
            return None
        hints = typing.get_type_hints(fn)
        annotation = hints.get(parameters[1].name)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            raise UserError(
                f"the input of tool {fn.__qualname__} must be annotated with a pydantic model "
                f"(its JSON schema is what the model sees), not {annotation!r}"
            )
        return annotation

    @functools.cached_property
    def _spec(self) -> ToolSpec:
        if self.input_model is None:
            parameters: dict[str, Any] = {"type": "object", "properties": {}}
        else:
            parameters = self.input_model.model_json_schema()
        return ToolSpec(name=self.name, description=self.description, parameters=parameters)

    def spec(self) -> ToolSpec:
        """What the model is told about the tool (computed once)."""
        return self._spec

    def parse(self, arguments: str) -> BaseModel | None:
        """Validate the model's raw JSON arguments; :class:`ToolInputError` says what is
        wrong in words the model can act on."""
        try:
            raw = json.loads(arguments or "{}")
        except json.JSONDecodeError as exc:
            raise ToolInputError(f"the arguments are not valid JSON ({exc.msg})") from None
        if self.input_model is None:
            return None
        try:
            return self.input_model.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'input'}: {error['msg']}"
                for error in exc.errors()
            )
            raise ToolInputError(f"invalid arguments for {self.name}: {problems}") from None

    async def needs_approval(self, input: BaseModel | None) -> bool:
        """Whether this call must wait for a person."""
        if self.approval is None:
            return False
        if self.approval == "always":
            return True
        decision = self.approval(input)
        if inspect.isawaitable(decision):
            decision = await decision
        return bool(decision)

    async def __call__(self, ctx: WorkflowContext, input: BaseModel | None = None) -> Any:
        """Call the tool function directly."""
        if self.input_model is None:
            return await self.fn(ctx)
        return await self.fn(ctx, input)

    def __repr__(self) -> str:
        return f"<Tool {self.name!r}>"


def render_output(value: Any) -> str:
    """A tool's return value as the text the model reads."""
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError):
        return str(value)


@overload
def tool(fn: Callable[..., Awaitable[Any]], /) -> Tool: ...


@overload
def tool(
    *, description: str = "", name: str | None = None, approval: Approval = None
) -> Callable[[Callable[..., Awaitable[Any]]], Tool]: ...


def tool(
    fn: Callable[..., Awaitable[Any]] | None = None,
    /,
    *,
    description: str = "",
    name: str | None = None,
    approval: Approval = None,
) -> Any:
    """Make ``async def f(ctx: WorkflowContext, input: SomeModel) -> Out`` a tool.

    The model sees ``description`` and the JSON schema of ``SomeModel``. Each call is a
    durable step keyed by the model's call id: after a crash, a completed call is not made
    again. Invalid arguments and exceptions raised by the tool go back to the model as an
    error it can correct; they never crash the run.

    Example::

        @tool(description="Get weather for a city")
        async def get_weather(ctx: WorkflowContext, input: WeatherInput) -> Weather:
            return await weather_api.get(input.city)

    Args:
        description: What the tool does, for the model (default: the docstring).
        name: The name the model calls (default: the function's name).
        approval: ``"always"`` suspends the run before each call until a person approves;
            a function of the input decides per call. A denial reaches the model as
            ``denied by <who>: <reason>``.
    """

    def decorate(function: Callable[..., Awaitable[Any]]) -> Tool:
        text = description or inspect.getdoc(function) or ""
        return Tool(function, description=text, name=name, approval=approval)

    if fn is not None:
        return decorate(fn)
    return decorate
