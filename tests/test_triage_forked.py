"""A large base's char-grams counted on a second core: the same index, and a child that
dies costs time, never the result."""

import os
import time

from bot.bench.scale import synthetic_kb
from bot.triage import KnowledgeIndex
from bot.triage import index as index_module
from bot.triage.forked import Forked
from tests.test_triage_index import BASE


def test_an_index_counted_on_a_second_core_is_the_index_built_in_one_process(monkeypatch):
    entries = synthetic_kb(BASE, 300)
    monkeypatch.setattr(index_module, "FORK_MIN", 10**9)
    alone = KnowledgeIndex(entries)
    monkeypatch.setattr(index_module, "FORK_MIN", 0)
    forked = KnowledgeIndex(entries)
    assert list(forked.grams.df.items()) == list(alone.grams.df.items())
    assert forked.grams._texts == alone.grams._texts
    assert forked.postings == alone.postings
    assert forked.version == alone.version == len(entries)


def test_work_whose_child_dies_is_done_here_instead():
    parent = os.getpid()

    def dies_in_a_child() -> str:
        if os.getpid() != parent:
            os._exit(1)
        return "done here"

    with Forked(dies_in_a_child) as work:
        assert work.result() == "done here"
    with Forked(lambda: sum(range(10))) as work:
        assert work.result() == 45


def test_a_child_whose_result_is_not_wanted_is_stopped():
    start = time.monotonic()
    with Forked(lambda: time.sleep(30)):
        pass
    assert time.monotonic() - start < 10
