"""The durable engine (runs, steps, suspend/resume, workers, store) and the agent layer.

Public names are imported here explicitly; everything else lives in ``_private`` modules.
"""

from agents._client import PolosClient, RunHandle
from agents._context import Step, WorkflowContext
from agents._errors import (
    LeaseLost,
    NonDeterminismError,
    PolosError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimitError,
    ProviderResponseError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    RunCancelledError,
    RunError,
    RunFailedError,
    RunInterrupt,
    RunTimeoutError,
    SerializationError,
    StepFailedError,
    StoreError,
    SuspendRun,
    UnknownWorkflowError,
    UserError,
)
from agents._events import EventBus, RunEvent, Subscription
from agents._execution import RetryPolicy
from agents._info import RunInfo, StepInfo, SuspensionInfo
from agents._worker import Worker
from agents._workflow import Invocation, Workflow, workflow

__all__ = [
    "EventBus",
    "Invocation",
    "LeaseLost",
    "NonDeterminismError",
    "PolosClient",
    "PolosError",
    "ProviderAuthError",
    "ProviderError",
    "ProviderRateLimitError",
    "ProviderResponseError",
    "ProviderTimeoutError",
    "ProviderUnavailableError",
    "RetryPolicy",
    "RunCancelledError",
    "RunError",
    "RunEvent",
    "RunFailedError",
    "RunHandle",
    "RunInfo",
    "RunInterrupt",
    "RunTimeoutError",
    "SerializationError",
    "Step",
    "StepFailedError",
    "StepInfo",
    "StoreError",
    "Subscription",
    "SuspendRun",
    "SuspensionInfo",
    "UnknownWorkflowError",
    "UserError",
    "Worker",
    "Workflow",
    "WorkflowContext",
    "workflow",
]
