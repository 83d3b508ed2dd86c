"""Starting runs: idempotency keys, input validation, unknown workflows, bad databases."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from agents import (
    PolosClient,
    RunFailedError,
    StoreError,
    UnknownWorkflowError,
    UserError,
    WorkflowContext,
    workflow,
)
from agents._workflow import _registry


class Order(BaseModel):
    item: str
    quantity: int


@workflow(id="order_total")
async def order_total(ctx: WorkflowContext, order: Order) -> str:
    return f"{order.quantity} x {order.item}"


async def test_a_workflow_run_returns_its_result(client: PolosClient) -> None:
    assert await order_total.run(client, Order(item="tea", quantity=2)) == "2 x tea"


async def test_input_can_be_given_as_a_dict_and_is_validated_into_the_model(
    client: PolosClient,
) -> None:
    assert await order_total.run(client, {"item": "tea", "quantity": 3}) == "3 x tea"


async def test_invalid_input_is_refused_before_any_run_is_created(client: PolosClient) -> None:
    with pytest.raises(UserError, match="input for workflow 'order_total' is not valid"):
        await order_total.start(client, {"item": "tea", "quantity": "many"})
    assert await client.list_runs() == []


async def test_starting_twice_with_one_idempotency_key_returns_the_same_run(
    client: PolosClient,
) -> None:
    first = await order_total.start(client, Order(item="a", quantity=1), idempotency_key="k1")
    second = await order_total.start(client, Order(item="b", quantity=9), idempotency_key="k1")
    assert first.run_id == second.run_id
    assert await second.result(timeout=10) == "1 x a"
    assert len(await client.list_runs(workflow_id="order_total")) == 1


async def test_an_idempotency_key_used_by_another_workflow_is_an_error(
    client: PolosClient,
) -> None:
    @workflow(id="other_flow")
    async def other(ctx: WorkflowContext) -> None:
        return None

    await other.start(client, idempotency_key="shared")
    with pytest.raises(UserError, match="already started a run of workflow 'other_flow'"):
        await order_total.start(client, Order(item="a", quantity=1), idempotency_key="shared")


async def test_a_run_of_an_unknown_workflow_fails_with_a_clear_error(
    client: PolosClient,
) -> None:
    @workflow(id="soon_unknown")
    async def vanishing(ctx: WorkflowContext) -> None:
        return None

    del _registry["soon_unknown"]  # as if the worker had not imported its module
    handle = await client.start(vanishing)
    with pytest.raises(UnknownWorkflowError, match="no workflow 'soon_unknown'"):
        await handle.result(timeout=10)
    run = await handle.info()
    assert run.status == "failed"
    assert "polos worker MODULE" in run.error["message"]  # type: ignore[index]


async def test_a_failed_run_raises_the_workflow_exception_from_result(
    client: PolosClient,
) -> None:
    @workflow(id="raises_key_error")
    async def broken(ctx: WorkflowContext) -> None:
        raise KeyError("missing thing")

    with pytest.raises(KeyError, match="missing thing"):
        await broken.run(client)
    [run] = await client.list_runs(workflow_id="raises_key_error")
    assert run.status == "failed"
    assert run.error is not None and run.error["type"] == "builtins:KeyError"


async def test_an_error_class_that_cannot_be_imported_becomes_run_failed_error(
    client: PolosClient,
) -> None:
    class LocalError(Exception):
        pass

    @workflow(id="raises_local_error")
    async def broken(ctx: WorkflowContext) -> None:
        raise LocalError("from a local class")

    with pytest.raises(RunFailedError, match="from a local class"):
        await broken.run(client)


async def test_get_run_and_list_runs_show_status_input_and_output(client: PolosClient) -> None:
    handle = await order_total.start(
        client, Order(item="jam", quantity=4), metadata={"channel": "C1"}
    )
    await handle.result(timeout=10)
    run = await client.get_run(handle.run_id)
    assert run is not None
    assert (run.status, run.output, run.metadata) == ("succeeded", "4 x jam", {"channel": "C1"})
    assert run.input == Order(item="jam", quantity=4)
    assert run.started_at is not None and run.finished_at is not None
    assert [r.id for r in await client.list_runs(status="succeeded")] == [handle.run_id]
    assert await client.get_run("no-such-run") is None


async def test_an_unreachable_database_gives_a_clear_message() -> None:
    client = PolosClient("postgresql+asyncpg://postgres@127.0.0.1:1/nothing_here")
    with pytest.raises(StoreError, match="cannot use the database at postgresql"):
        await client.migrate()
    await client.close()


async def test_an_unsupported_database_url_says_what_to_use() -> None:
    with pytest.raises(UserError, match="unsupported database 'mysql'"):
        PolosClient("mysql://root@localhost/db")


def test_a_workflow_must_be_async() -> None:
    with pytest.raises(UserError, match="needs an async function"):

        @workflow
        def not_async(ctx: WorkflowContext) -> None:  # type: ignore[arg-type]
            return None
