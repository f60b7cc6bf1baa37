"""The caches that make preview rebuilds fast must never change the output:
after any sequence of edits, a rebuild that reuses them gives exactly the
bytes of a fresh build, and validation still sees every problem."""
import shutil
from pathlib import Path

import pytest
from conftest import shipped_title

from timeline.commands.check import check
from timeline.render.templates import make_environment
from timeline.site.fragments import FragmentCache
from timeline.site.plan import render_site

ROOT = Path(__file__).resolve().parent.parent
TALKS = shipped_title("istanbul-talks-2022")


@pytest.fixture
def project(tmp_path):
    shutil.copy(ROOT / "events.toml", tmp_path / "events.toml")
    shutil.copytree(ROOT / "site_src" / "sources", tmp_path / "site_src" / "sources")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS = [
    # an event's title (its card, its page, its neighbours' pager, lists, index)
    (f'title = "{TALKS}"', f'title = "{TALKS}, edited"'),
    # a source's title (on the notes of the events citing it)
    ('title = "Russia-Ukraine Negotiations Stall Without Peace Agreement"', 'title = "Renamed POLITICO article"'),
    # an event moved by a line: everything after it shifts
    ('[[events]]\nid = "war-erupts-2022"', '\n[[events]]\nid = "war-erupts-2022"'),
    # an actor renamed: slugs, actor pages, filters
    ('"Turkey", "Hakan Fidan"', '"Türkiye", "Hakan Fidan"'),
    # a date change reorders the timeline
    ('id = "war-erupts-2022"\ndate = "2022-02"', 'id = "war-erupts-2022"\ndate = "2022-05"'),
]


def test_reused_caches_give_the_bytes_of_a_fresh_build(project):
    events = project / "events.toml"
    env, cache = make_environment(), FragmentCache()
    site, problems = check(events)
    assert not problems
    assert render_site(site, env, cache) == render_site(site)
    for old, new in EDITS:
        edit(events, old, new)
        site, problems = check(events)
        assert not problems, problems
        warm = render_site(site, env, cache)
        fresh = render_site(check(events)[0])
        assert warm.keys() == fresh.keys()
        changed = [path for path in fresh if warm[path] != fresh[path]]
        assert not changed, (old, changed[:5])


def test_a_changed_source_text_is_validated_again(project):
    events = project / "events.toml"
    assert check(events)[0] is not None
    source = project / "site_src" / "sources" / "004_42b39f02cca32838.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("six-hour", "eight-hour"), encoding="utf-8")
    site, problems = check(events)
    assert site is None
    assert any("quote not found in source 's004'" in str(p) for p in problems)


def test_an_unchanged_event_moved_down_reports_its_new_line(project):
    events = project / "events.toml"
    check(events)
    edit(events, '[[events]]\nid = "war-erupts-2022"', '\n\n[[events]]\nid = "war-erupts-2022"')
    edit(events, 'id = "six-hour-session"\n', 'id = "six-hour-session"\nsumary = "x"\n')
    _, problems = check(events)
    lines = events.read_text(encoding="utf-8").splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if line.startswith("sumary"))
    assert [p.line for p in problems] == [expected]
