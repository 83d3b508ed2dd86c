"""The durable engine (runs, steps, suspend/resume, workers, store) and the agent layer.

Public names are imported here explicitly; everything else lives in ``_private`` modules.
"""

from agents._agent import Agent
from agents._agent_events import (
    AgentEvent,
    ApprovalRequested,
    RunFailed,
    RunFinished,
    TextDelta,
    TextReset,
    ToolCallFinished,
    ToolCallStarted,
)
from agents._agent_result import AgentResult, AgentStep, ToolCallRecord
from agents._agent_stream import AgentStream
from agents._client import PolosClient, RunHandle
from agents._context import Step, WorkflowContext
from agents._errors import (
    LeaseLost,
    NonDeterminismError,
    OutputValidationError,
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
    ToolError,
    UnknownWorkflowError,
    UserError,
)
from agents._events import EventBus, RunEvent, Subscription
from agents._execution import RetryPolicy
from agents._grants import approval_grants, grant_approval
from agents._info import RunInfo, StepInfo, SuspensionInfo
from agents._messages import Usage
from agents._stop import (
    AgentState,
    ExecutedToolConfig,
    MaxStepsConfig,
    MaxTokensConfig,
    StopCondition,
    executed_tool,
    max_steps,
    max_tokens,
    stop_condition,
)
from agents._tools import Tool, tool
from agents._worker import Worker
from agents._workflow import Invocation, Workflow, workflow

__all__ = [
    "Agent",
    "AgentEvent",
    "AgentResult",
    "AgentState",
    "AgentStep",
    "AgentStream",
    "ApprovalRequested",
    "EventBus",
    "ExecutedToolConfig",
    "Invocation",
    "LeaseLost",
    "MaxStepsConfig",
    "MaxTokensConfig",
    "NonDeterminismError",
    "OutputValidationError",
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
    "RunFailed",
    "RunFailedError",
    "RunFinished",
    "RunHandle",
    "RunInfo",
    "RunInterrupt",
    "RunTimeoutError",
    "SerializationError",
    "Step",
    "StepFailedError",
    "StepInfo",
    "StopCondition",
    "StoreError",
    "Subscription",
    "SuspendRun",
    "SuspensionInfo",
    "TextDelta",
    "TextReset",
    "Tool",
    "ToolCallFinished",
    "ToolCallRecord",
    "ToolCallStarted",
    "ToolError",
    "UnknownWorkflowError",
    "Usage",
    "UserError",
    "Worker",
    "Workflow",
    "WorkflowContext",
    "approval_grants",
    "executed_tool",
    "grant_approval",
    "max_steps",
    "max_tokens",
    "stop_condition",
    "tool",
    "workflow",
]
