"""polos: durable AI agents, triggered from Slack.

The public API in one import: ``from polos import PolosClient, workflow, WorkflowContext``.
"""

from agents import (
    Invocation,
    NonDeterminismError,
    PolosClient,
    PolosError,
    RetryPolicy,
    RunCancelledError,
    RunError,
    RunEvent,
    RunFailedError,
    RunHandle,
    RunInfo,
    RunTimeoutError,
    SerializationError,
    StepFailedError,
    StepInfo,
    StoreError,
    SuspensionInfo,
    UnknownWorkflowError,
    UserError,
    Workflow,
    WorkflowContext,
    workflow,
)

__all__ = [
    "Invocation",
    "NonDeterminismError",
    "PolosClient",
    "PolosError",
    "RetryPolicy",
    "RunCancelledError",
    "RunError",
    "RunEvent",
    "RunFailedError",
    "RunHandle",
    "RunInfo",
    "RunTimeoutError",
    "SerializationError",
    "StepFailedError",
    "StepInfo",
    "StoreError",
    "SuspensionInfo",
    "UnknownWorkflowError",
    "UserError",
    "Workflow",
    "WorkflowContext",
    "workflow",
]
