"""Work shared with a forked process gives what one process gives."""
import os
import sys
import time
from pathlib import Path

import pytest

from timeline.speed import pool as parallel

from timeline.commands.build import build

from timeline.commands.check import check

from timeline.site import pages as render

from timeline.render import markdown as text
from timeline.speed.pool import shared
from timeline.site.pages import FragmentCache, Renderer

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
    site, problems = check(write_record(tmp_path_factory.mktemp("synthetic"), 400), remember=False)
    assert site is not None, problems
    return site


def test_markdown_converted_ahead_in_two_processes_is_what_each_call_gives(site):
    texts = [e.summary for e in site.events]
    text.markdown_cache.clear()
    one_by_one = {t: text.markdown_html(t) for t in texts}
    text.markdown_cache.clear()
    text.convert_all(texts, workers=2)
    assert len({t for t in texts}) >= 256  # enough that the work is shared
    assert {t: text.markdown_cache[(t, False)] for t in texts} == one_by_one
    assert any("<em>" in html or "<strong>" in html for html in one_by_one.values())  # not only plain paragraphs


def test_cards_over_the_budget_are_compressed_and_pages_stay_the_same(site, monkeypatch):
    def pages(budget):
        monkeypatch.setattr(render, "CARD_BUDGET", budget)
        cache = FragmentCache()
        made = Renderer(site, cache=cache, with_outputs=False).render()
        kinds = {type(value) for value in cache.cards.now.values()}
        return made, kinds

    whole, kinds = pages(render.CARD_BUDGET)
    assert kinds == {str}
    cut, kinds = pages(20_000)
    assert kinds == {str, bytes}
    assert cut == whole


def test_more_batches_than_the_queue_holds_are_made_larger_and_none_is_lost(monkeypatch):
    monkeypatch.setattr(parallel, "MAX_BATCHES", 16)
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


def test_work_started_ahead_runs_in_another_process_and_its_result_comes_back():
    with parallel.Ahead(lambda: (os.getpid(), sum(range(1000)))) as ahead:
        pid, total = ahead.result()
    assert pid != os.getpid() and total == 499500


def test_a_failure_ahead_is_raised_when_its_result_is_asked_for():
    def work():
        raise ValueError("injected ahead")

    with parallel.Ahead(work) as ahead, pytest.raises(ValueError, match="injected ahead"):
        ahead.result()


def test_work_ahead_whose_result_is_not_wanted_is_ended(tmp_path):
    marker = tmp_path / "finished"

    def work():
        time.sleep(2)
        marker.write_text("finished")

    started = time.monotonic()
    with parallel.Ahead(work):
        pass  # e.g. the build found problems and stops
    assert time.monotonic() - started < 1.5  # ended, not waited for
    time.sleep(2.5)
    assert not marker.exists()


def test_work_ahead_without_fork_runs_here_when_asked(monkeypatch):
    monkeypatch.delattr(os, "fork")
    ahead = parallel.Ahead(lambda: os.getpid())
    assert ahead.result() == os.getpid()
    ahead.close()


def test_a_queue_the_pipe_cannot_hold_leaves_the_work_to_this_process(monkeypatch):
    # 70,000 numbers are 280 KB, more than a pipe holds: written before
    # anyone reads, they would wait forever.
    monkeypatch.setattr(parallel, "MAX_BATCHES", 10**6)
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
    with parallel.Ahead(lambda: os.getpid()) as ahead:
        assert ahead.result() == os.getpid()
    assert open_files() == before


def test_a_helper_whose_parent_stopped_listening_exits_instead_of_returning_into_the_caller(tmp_path):
    escaped = tmp_path / "escaped"
    parent = os.getpid()
    helper = parallel._Helper(lambda: time.sleep(0.3) or "a result nobody reads")
    if os.getpid() != parent:  # only a helper that returned from _Helper() gets here
        escaped.write_text("the helper ran the caller's code")
        os._exit(1)
    helper.pipe.close()  # as when the parent is interrupted while waiting
    _, status = os.waitpid(helper.pid, 0)
    helper.pid = None
    assert os.waitstatus_to_exitcode(status) == 0
    assert not escaped.exists()


def test_a_card_at_another_level_is_the_card_rendered_at_that_level(site, shipped):
    """Renderer.card keeps each card as lists show it and swaps its title
    for the event's own page; that must be what rendering it gives."""
    for model in (site, shipped):
        renderer = Renderer(model)
        macro = renderer.env.get_template("_event.html").module.event_card
        for view in renderer.views:
            for h, root, link_title in ((1, "../../", False), (4, "../", True), (2, "", True), (3, "../", False)):
                rendered = str(macro(view, h, render.Markup(render.ROOT_MARK), link_title)).replace(render.ROOT_MARK, root)
                assert renderer.card(view, h, root, link_title) == rendered


def test_a_build_converts_each_summary_once_and_starts_before_the_check_ends(tmp_path, monkeypatch):
    """Markdown starts in a helper while the record is checked (on the texts
    as the check keeps them, stripped); the check's own pass finds nothing left."""
    events = write_record(tmp_path, 400)
    events.write_text(events.read_text(encoding="utf-8").replace('summary = """', 'summary = """\n  \n'),
                      encoding="utf-8")  # summaries with space to strip
    calls = []
    converting = text.Converting

    class Counted(converting):
        def __init__(self, texts, workers=1):
            super().__init__(texts, workers)
            calls.append(len(self._todo))

    monkeypatch.setattr(text, "Converting", Counted)
    text.markdown_cache.clear()
    site, problems = build(events, tmp_path / "public")
    assert site is not None, problems
    summaries = {e.summary for e in site.events}
    assert len(summaries) >= 256 and calls[0] >= len(summaries)  # all of them, early, shared with the helper
    assert calls[1:] == [0]  # nothing left for after the check
    # Keyed by the events' own strings: the stripped copies it started from are not kept.
    keys = {id(t) for t, _ in text.markdown_cache}
    assert all(id(e.summary) in keys for e in site.events)


def test_sharing_left_unfinished_ends_its_helper():
    """A build whose check fails leaves the Markdown helper's work unwanted."""
    with parallel.Sharing(list(range(1000)), _slowly, workers=2, least=10, batch=1) as sharing:
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


def test_cards_rendered_ahead_by_two_processes_keep_the_pages_and_the_budget(site, monkeypatch):
    whole = Renderer(site, with_outputs=False).render()
    for budget, all_fit in ((render.CARD_BUDGET, True), (200_000, False)):
        monkeypatch.setattr(render, "CARD_BUDGET", budget)
        cache = FragmentCache()
        renderer = Renderer(site, cache=cache, with_outputs=False)
        with renderer.cards_ahead(workers=2):
            plan = renderer.plan()
        ahead = dict(cache.cards.now)
        assert {type(v) for v in ahead.values()} == {str}
        assert cache.card_chars == sum(map(len, ahead.values())) <= budget
        if all_fit:
            assert set(ahead) == {view.fingerprint for view in renderer.views}
        else:  # as many as the budget holds, shared by both processes; the rest when pages need them
            assert budget / 2 < cache.card_chars and 0 < len(ahead) < len(renderer.views)
        assert {path: job.make() for path, job in plan.items()} == whole
        assert len(cache.cards.now) == len(renderer.views)


def test_cards_ahead_left_by_an_error_end_their_helper_and_keep_nothing(site):
    renderer = Renderer(site, with_outputs=False)
    before = _children()  # others may run, e.g. the browser tests' driver
    with pytest.raises(RuntimeError, match="planning failed"), renderer.cards_ahead(workers=2):
        assert _children() - before  # the helper is at work
        raise RuntimeError("planning failed")
    assert _children() - before == set()
    assert renderer.cache.cards.now == {}


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
