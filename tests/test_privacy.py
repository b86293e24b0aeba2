"""Personal data: erasure on request and a retention period for closed threads."""

from __future__ import annotations

from bot import privacy
from bot.channels.memory import MemoryChannel
from bot.runtime import Runtime
from tests.test_pipeline import COMPLEX, SIMPLE


def _count(runtime: Runtime, table: str) -> int:
    return runtime.store.run(lambda db: db[table].count)


async def test_erasing_a_business_removes_its_threads_messages_and_cases(runtime: Runtime, memory: MemoryChannel) -> None:
    await runtime.pipeline.receive(memory.message(COMPLEX, sender="anna@firma.dk"))
    await runtime.pipeline.receive(memory.message(SIMPLE, sender="bo@andet.dk"))
    assert runtime.store.run(privacy.erase_address, "Anna@Firma.dk") == 1
    assert _count(runtime, "cases") == 0
    assert _count(runtime, "threads") == 1 and _count(runtime, "outbox") == 1
    texts = runtime.store.run(lambda db: [r["text"] for r in db["messages"].rows])
    assert not any("produktion" in t for t in texts)


async def test_retention_erases_old_threads_but_never_open_cases(runtime: Runtime, memory: MemoryChannel) -> None:
    await runtime.pipeline.receive(memory.message(COMPLEX, sender="open@case.dk"))
    await runtime.pipeline.receive(memory.message(SIMPLE, sender="old@answer.dk"))
    runtime.store.run(lambda db: db.execute("UPDATE threads SET updated_at = '2020-01-01'"))
    assert runtime.store.run(privacy.apply_retention, 365, True) == 1
    assert runtime.store.run(privacy.apply_retention, 365) == 1
    assert runtime.store.run(lambda db: [r["address"] for r in db["threads"].rows]) == ["open@case.dk"]


async def test_case_numbers_are_not_reused_after_an_erasure(runtime: Runtime, memory: MemoryChannel) -> None:
    first = await runtime.pipeline.receive(memory.message(COMPLEX, sender="a@firma.dk"))
    second = await runtime.pipeline.receive(memory.message(COMPLEX, sender="b@firma.dk"))
    runtime.store.run(privacy.erase_address, "a@firma.dk")
    third = await runtime.pipeline.receive(memory.message(COMPLEX, sender="c@firma.dk"))
    assert len({first.case_number, second.case_number, third.case_number}) == 3


async def test_erasing_the_latest_case_does_not_hand_its_number_out_again(runtime: Runtime,
                                                                          memory: MemoryChannel) -> None:
    first = await runtime.pipeline.receive(memory.message(COMPLEX, sender="a@firma.dk"))
    second = await runtime.pipeline.receive(memory.message(COMPLEX, sender="b@firma.dk"))
    runtime.store.run(privacy.erase_address, "b@firma.dk")
    third = await runtime.pipeline.receive(memory.message(COMPLEX, sender="c@firma.dk"))
    assert third.case_number not in {first.case_number, second.case_number}


async def test_the_running_server_erases_what_the_retention_period_has_run_out_for(
        runtime: Runtime, memory: MemoryChannel) -> None:
    await runtime.pipeline.receive(memory.message(COMPLEX, sender="open@case.dk"))
    await runtime.pipeline.receive(memory.message(SIMPLE, sender="old@answer.dk"))
    await runtime.pipeline.receive(memory.message(SIMPLE, sender="new@answer.dk"))
    runtime.store.run(lambda db: db.execute("UPDATE threads SET updated_at = '2020-01-01' WHERE address != 'new@answer.dk'"))
    assert await runtime.apply_retention() == 1  # the daily pass, as `indgang serve` runs it
    assert sorted(r["address"] for r in runtime.store.run(lambda db: list(db["threads"].rows))) == [
        "new@answer.dk", "open@case.dk"]
