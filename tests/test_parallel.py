"""Work shared with a forked process gives what one process gives."""
import os
import sys
import time
from pathlib import Path

import pytest

from timeline.commands.build import build
from timeline.commands.check import check
from timeline.site import pages
from timeline.site.pages import Pages
from timeline.speed import pool
from timeline.speed.pool import shared

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import write_record  # noqa: E402


def _slowly(batch):
    time.sleep(0.002)  # real work takes time: the helper starts before the parent has taken every batch
    return [(i * i, os.getpid()) for i in batch]


def test_both_processes_take_batches_and_every_result_comes_back():
    items = list(range(1000))
    results = shared(items, _slowly, workers=2, least=10, batch=7)
    assert sorted(square for square, _ in results) == [i * i for i in items]
    assert len({pid for _, pid in results}) == 2


def test_one_worker_or_few_items_stay_in_this_process():
    for workers, items in ((1, list(range(1000))), (2, list(range(5)))):
        results = shared(items, lambda batch: [os.getpid() for _ in batch], workers=workers, least=10, batch=7)
        assert results == [os.getpid()] * len(items)


def test_a_failure_in_the_helper_is_raised_here():
    main = os.getpid()

    def work(batch):
        if os.getpid() != main:
            raise ValueError("injected in the helper")
        time.sleep(0.002)
        return batch

    with pytest.raises(ValueError, match="injected in the helper"):
        shared(list(range(1000)), work, workers=2, least=10, batch=1)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site, problems = check(write_record(tmp_path_factory.mktemp("synthetic"), 400))
    assert site is not None, problems
    return site


def test_more_batches_than_the_queue_holds_are_made_larger_and_none_is_lost(monkeypatch):
    monkeypatch.setattr(pool, "MAX_BATCHES", 16)
    items = list(range(1000))
    results = shared(items, lambda batch: [(i, len(batch)) for i in batch], workers=2, least=10, batch=1)
    assert sorted(i for i, _ in results) == items
    assert {size for _, size in results} == {63, 55}  # 1000 in batches of ceil(1000 / 16), the last one short


def test_a_failure_here_is_raised_and_the_helper_stops():
    main = os.getpid()
    started = time.monotonic()

    def work(batch):
        if os.getpid() == main:
            raise ValueError("injected here")
        time.sleep(0.01)
        return batch

    with pytest.raises(ValueError, match="injected here"):
        shared(list(range(1000)), work, workers=2, least=10, batch=1)
    assert time.monotonic() - started < 2  # not the helper going on through 1,000 batches of 10 ms


def test_a_queue_the_pipe_cannot_hold_leaves_the_work_to_this_process(monkeypatch):
    # 70,000 numbers are 280 KB, more than a pipe holds: written before
    # anyone reads, they would wait forever.
    monkeypatch.setattr(pool, "MAX_BATCHES", 10**6)
    items = list(range(70_000))
    results = shared(items, lambda batch: [(i, os.getpid()) for i in batch], workers=2, least=10, batch=1)
    assert [i for i, _ in results] == items
    assert {pid for _, pid in results} == {os.getpid()}


def open_files() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
def test_without_a_process_to_fork_the_work_is_done_here_and_nothing_is_left_open(monkeypatch):
    def no_fork():
        raise OSError("fork: resource temporarily unavailable")

    before = open_files()
    monkeypatch.setattr(os, "fork", no_fork)
    items = list(range(1000))
    assert shared(items, lambda batch: [i * 2 for i in batch], workers=2, least=10, batch=7) == [i * 2 for i in items]
    assert open_files() == before


def test_a_helper_whose_parent_stopped_listening_exits_instead_of_returning_into_the_caller(tmp_path):
    escaped = tmp_path / "escaped"
    parent = os.getpid()
    helper = pool._Helper(lambda: time.sleep(0.3) or "a result nobody reads")
    if os.getpid() != parent:  # only a helper that returned from _Helper() gets here
        escaped.write_text("the helper ran the caller's code")
        os._exit(1)
    helper.pipe.close()  # as when the parent is interrupted while waiting
    _, status = os.waitpid(helper.pid, 0)
    helper.pid = None
    assert os.waitstatus_to_exitcode(status) == 0
    assert not escaped.exists()


def test_a_card_at_another_level_is_the_card_rendered_at_that_level(site, shipped):
    """Pages.card keeps each card as lists show it and marks where the
    path to the root goes; at any level and depth it is what rendering gives."""
    for model in (site, shipped):
        renderer = Pages(model)
        macro = renderer.env.get_template("_event.html").module.event_card
        for view in renderer.views:
            for h, root, link_title in ((1, "../../", False), (4, "../", True), (2, "", True), (3, "../", False)):
                rendered = str(macro(view, h, pages.Markup(pages.ROOT_MARK), link_title)).replace(pages.ROOT_MARK, root)
                assert renderer.card(view, h, root, link_title) == rendered


def test_sharing_left_unfinished_ends_its_helper():
    """Work left by an error is unwanted: its helper is ended."""
    with pool.Sharing(list(range(1000)), _slowly, workers=2, least=10, batch=1) as sharing:
        pid = sharing._helper.pid
        os.kill(pid, 0)  # running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_build_whose_check_fails_leaves_no_helper(tmp_path):
    events = write_record(tmp_path, 400)
    events.write_text(events.read_text(encoding="utf-8") + '\n[[events]]\nid = "broken"\n', encoding="utf-8")
    before = _children()  # others may run, e.g. the browser tests' driver
    site, problems = build(events, tmp_path / "public")
    assert site is None and problems
    assert _children() - before == set()
    assert not (tmp_path / "public").exists()


def _children() -> set[str]:
    """This process's child processes (Linux)."""
    mine = str(os.getpid())
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1] == mine:
                found.add(pid)
        except (OSError, IndexError):
            pass  # ended meanwhile
    return found
