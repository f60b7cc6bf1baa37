"""publish() with two processes writes exactly what one process writes, and a
failure in either process leaves the previous output as it was."""
import hashlib
import os
import shutil
import sys
from pathlib import Path

import pytest

import timeline.publish
from timeline.commands.check import check
from timeline.publish import intact, pending, publish, recover
from timeline.publish.files import PARALLEL_MIN
from timeline.site import overview
from timeline.site.jobs import Job
from timeline.site.plan import plan_site

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import write_record  # noqa: E402


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.blake2b(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    events = write_record(tmp_path_factory.mktemp("synthetic"), 300)
    site, problems = check(events)
    assert site is not None, problems
    return site


def test_two_processes_write_what_one_writes(site, tmp_path):
    plan = plan_site(site)
    assert len(plan) >= PARALLEL_MIN  # enough files that the work is shared
    one = publish(plan, tmp_path / "one", workers=1)
    makers = tmp_path / "makers.txt"
    plan = plan_site(site)

    def noting_pid(job):
        def make():
            with makers.open("a") as log:
                log.write(f"{os.getpid()}\n")
            return job.make()
        return Job(job.path, make, lambda: job.key)

    two = publish({path: noting_pid(plan[path]) for path in plan}, tmp_path / "two", workers=2)
    assert len(set(makers.read_text().split())) == 2  # both processes made files
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert {k: (v[0], v[1], v[4]) for k, v in one.items()} == {k: (v[0], v[1], v[4]) for k, v in two.items()}


@pytest.mark.parametrize("failing", ["helper", "main"])
def test_a_failure_in_either_process_keeps_the_previous_output(site, tmp_path, failing):
    out = tmp_path / "public"
    publish(plan_site(site), out, workers=2)
    before = tree(out)
    plan = plan_site(site)
    main = os.getpid()

    def failing_in(job):
        def make():
            if (os.getpid() == main) == (failing == "main"):
                raise RuntimeError(f"injected: {job.path} cannot be made")
            return job.make()
        return Job(job.path, make, lambda: job.key)

    with pytest.raises(RuntimeError, match="injected"):
        publish({path: failing_in(plan[path]) for path in plan}, out, workers=2)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_jobs_are_made_only_when_their_key_changed(site, tmp_path):
    out = tmp_path / "public"
    manifest = publish(plan_site(site), out, workers=2)
    made = []
    plan = plan_site(site)
    counted = {}
    for path in plan:
        job = plan[path]
        counted[path] = Job(path, (lambda job=job, path=path: made.append(path) or job.make()), lambda job=job: job.key)
    counted["about/index.html"] = Job("about/index.html", lambda: made.append("about") or b"changed", lambda: "new key")
    publish(counted, out, manifest, workers=1)
    assert made == ["about"]
    assert (out / "about" / "index.html").read_bytes() == b"changed"


# --- updating a published folder in place ----------------------------------------------

def fixed(files: dict[str, bytes]) -> dict[str, Job]:
    """Jobs whose key is their content: a changed file has a changed key."""
    return {path: Job(path, (lambda data=data: data), (lambda data=data: hashlib.sha1(data).hexdigest()))
            for path, data in files.items()}


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


BEFORE = {"index.html": b"home", "events/a/index.html": b"a", "events/b/index.html": b"b",
          "events/c/index.html": b"c", "data.json": b"[1]"}
AFTER = {"index.html": b"home, changed", "events/a/index.html": b"a", "events/c/index.html": b"c",
         "events/d/index.html": b"d", "data.json": b"[1]"}


def test_an_update_moves_in_changed_files_only_and_removes_the_others(tmp_path):
    out = tmp_path / "public"
    manifest = publish(fixed(BEFORE), out)
    inodes = {name: (out / name).stat().st_ino for name in BEFORE}
    manifest = publish(fixed(AFTER), out, manifest)
    assert files_of(out) == AFTER
    assert not (out / "events" / "b").exists()  # the removed event's folder is gone too
    for name in ("events/a/index.html", "events/c/index.html", "data.json"):
        assert (out / name).stat().st_ino == inodes[name], f"{name} was rewritten though unchanged"
    assert (out / "index.html").stat().st_ino != inodes["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]
    for name, entry in manifest.items():
        stat = (out / name).stat()
        assert (stat.st_size, stat.st_mtime_ns, stat.st_ino) == entry[1:4]
    assert intact(out, manifest)


def test_an_update_removes_a_file_added_by_hand_and_remakes_one_changed_by_hand(tmp_path):
    out = tmp_path / "public"
    manifest = publish(fixed(BEFORE), out)
    (out / "events" / "stray.html").write_bytes(b"not ours")
    (out / "events" / "a" / "index.html").write_bytes(b"edited")
    assert not intact(out, manifest)
    publish(fixed(BEFORE), out, manifest)
    assert files_of(out) == BEFORE


def meddle(out: Path) -> None:
    (out / "events" / "stray.html").write_bytes(b"not ours")
    (out / "events" / "a" / "index.html").write_bytes(b"edited")
    (out / "events" / "b" / "index.html").unlink()


def test_a_failed_update_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "public"
    manifest = publish(fixed(BEFORE), out)
    jobs = fixed(AFTER)
    jobs["events/d/index.html"] = Job("events/d/index.html", lambda: 1 / 0, lambda: "broken")
    with pytest.raises(ZeroDivisionError):
        publish(jobs, out, manifest)
    assert files_of(out) == BEFORE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


@pytest.mark.parametrize("moved", [0, 1])
def test_an_update_interrupted_while_moving_in_is_finished_by_the_next_build(tmp_path, monkeypatch, moved):
    out = tmp_path / "public"
    manifest = publish(fixed(BEFORE), out)
    real = os.replace
    calls = []

    def replace(source, target, *args, **kwargs):
        if ".commit-" in str(source):
            if len(calls) == moved:
                raise KeyboardInterrupt  # as if killed between two moves
            calls.append(target)
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        publish(fixed(AFTER), out, manifest)
    monkeypatch.setattr(os, "replace", real)
    assert pending(out)
    recover(out)  # the first thing any later publish does
    assert not pending(out)
    assert files_of(out) == AFTER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


# --- data files: an event's part is copied from the last file when it is unchanged ------

@pytest.fixture
def record(tmp_path):
    events = write_record(tmp_path / "record", 300)
    return events, events.read_text(encoding="utf-8")


def plan_of(events: Path):
    site, problems = check(events)
    assert site is not None, problems
    return plan_site(site)


def counting_records(monkeypatch) -> list[str]:
    from timeline.render.outputs import data
    made, real = [], data.event_record
    monkeypatch.setattr(data, "event_record", lambda site, markdown, event: made.append(event.id) or real(site, markdown, event))
    return made


@pytest.mark.parametrize("edit", ["one event", "the site title", "nothing, but the file was edited by hand"])
def test_data_files_remake_only_the_parts_that_changed(record, tmp_path, monkeypatch, edit):
    events, text = record
    out = tmp_path / "public"
    manifest = publish(plan_of(events), out)
    if edit == "one event":
        events.write_text(text.replace("Synthetic event 7:", "Synthetic event 7 (edited):", 1), encoding="utf-8")
    elif edit == "the site title":
        events.write_text(text.replace('title = "Synthetic timeline"', 'title = "Renamed"', 1), encoding="utf-8")
    else:
        events.write_text(text.replace("Synthetic event 7:", "Synthetic event 7 (edited):", 1), encoding="utf-8")
        (out / "events.json").write_bytes((out / "events.json").read_bytes().replace(b"Synthetic", b"Synthetik"))
    made = counting_records(monkeypatch)
    publish(plan_of(events), out, manifest)
    expected = {"one event": ["event-000007"], "the site title": [f"event-{i:06d}" for i in range(300)]}.get(
        edit, [f"event-{i:06d}" for i in range(300)])
    assert sorted(made) == expected
    monkeypatch.undo()
    publish(plan_of(events), tmp_path / "fresh")
    assert files_of(out) == files_of(tmp_path / "fresh")


@pytest.mark.parametrize("change", ["moved", "removed", "added", "all but one removed"])
def test_data_files_after_events_moved_removed_or_added_are_what_a_fresh_build_writes(record, tmp_path, change):
    events, text = record
    out = tmp_path / "public"
    manifest = publish(plan_of(events), out)
    if change == "moved":  # event 7 moves to the front: its piece is made, the rest copied in two runs
        text = text.replace("date = 2000-08-08T07:00:00+03:00", "date = 1990-01-08T07:00:00+03:00", 1)
    elif change == "removed":
        head, _, rest = text.partition('[[events]]\nid = "event-000007"')
        text = head + rest[rest.index("[[events]]"):]
    elif change == "added":
        start = text.index('[[events]]\nid = "event-000007"')
        copy = text[start:text.index("[[events]]", start + 1)].replace("event-000007", "event-copy")
        text = text + "\n" + copy
    else:
        text = text[:text.index("[[events]]", text.index("[[events]]") + 1)]
    events.write_text(text, encoding="utf-8")
    publish(plan_of(events), out, manifest)
    publish(plan_of(events), tmp_path / "fresh")
    assert files_of(out) == files_of(tmp_path / "fresh")


def test_a_piece_is_not_copied_from_a_file_whose_separators_are_not_as_written(record, tmp_path, monkeypatch):
    events, text = record
    out = tmp_path / "public"
    manifest = publish(plan_of(events), out)
    # Same size, time and inode, other bytes between two pieces: the run is made again.
    published = out / "events.json"
    before = published.stat()
    data = published.read_bytes()
    at = data.index(b"},\n  {", len(data) // 2) + 1
    with published.open("r+b") as handle:
        handle.seek(at)
        handle.write(b";")
    os.utime(published, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert intact(out, manifest)
    events.write_text(text.replace("Synthetic event 7:", "Synthetic event 7 (edited):", 1), encoding="utf-8")
    made = counting_records(monkeypatch)
    publish(plan_of(events), out, manifest)
    assert b"};" not in published.read_bytes()
    assert 1 < len(made) < 300  # the run with the changed separator, not the whole file
    monkeypatch.undo()
    publish(plan_of(events), tmp_path / "fresh")
    assert files_of(out) == files_of(tmp_path / "fresh")


@pytest.mark.parametrize("edit", ["title", "date"])
def test_an_index_cut_into_years_is_made_again_only_when_what_it_shows_changes(record, tmp_path, monkeypatch, edit):
    # 300 events: the index links to pages by year, and its overview has a bar
    # a month (with fewer events a mark each, which shows the title).
    monkeypatch.setattr(overview, "MAX_MARKS", 100)
    events, text = record
    out = tmp_path / "public"
    before = publish(plan_of(events), out)
    if edit == "title":
        changed = text.replace("Synthetic event 7:", "Synthetic event 7 (edited):", 1)
    else:  # into a month of a year that had no events: the overview's bars and the parts change
        changed = text.replace("date = 2000-04-04T03:00:00+03:00", "date = 1990-01-08T07:00:00+03:00", 1)
    assert changed != text
    events.write_text(changed, encoding="utf-8")
    after = publish(plan_of(events), out, before)
    assert (after["index.html"][4] == before["index.html"][4]) == (edit == "title")
    publish(plan_of(events), tmp_path / "fresh")
    assert files_of(out) == files_of(tmp_path / "fresh")


def test_an_update_moves_new_files_in_before_removing_old_ones(tmp_path, monkeypatch):
    """Links to a page that goes away keep working until the new pages are in."""
    out = tmp_path / "public"
    manifest = publish(fixed(BEFORE), out)
    real = os.replace
    seen = []

    def replace(source, target, *args, **kwargs):
        if ".commit-" in str(source):
            seen.append((out / "events" / "b" / "index.html").exists())
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    publish(fixed(AFTER), out, manifest)
    assert seen and all(seen)
    assert files_of(out) == AFTER


def test_an_update_where_a_file_becomes_a_folder_and_back(tmp_path):
    out = tmp_path / "public"
    manifest = publish(fixed({**BEFORE, "feed": b"a file"}), out)
    manifest = publish(fixed({**BEFORE, "feed/index.html": b"now a folder"}), out, manifest)
    assert files_of(out) == {**BEFORE, "feed/index.html": b"now a folder"}
    publish(fixed({**BEFORE, "feed": b"a file again"}), out, manifest)
    assert files_of(out) == {**BEFORE, "feed": b"a file again"}


def test_an_update_copes_with_odd_names_and_folders_left_by_hand(tmp_path):
    out = tmp_path / "public"
    manifest = publish(fixed(BEFORE), out)
    (out / "stray\u2028line.html").write_bytes(b"odd")
    (out / os.fsdecode(b"stray-\xff.html")).write_bytes(b"not UTF-8")
    (out / "events" / "a" / "index.html").unlink()
    (out / "events" / "a" / "index.html").mkdir()  # a folder where a file goes
    (out / "events" / "a" / "index.html" / "empty").mkdir()
    publish(fixed(BEFORE), out, manifest)
    assert files_of(out) == BEFORE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


@pytest.mark.parametrize("left", ["half deleted", "without its list"])
def test_a_damaged_leftover_update_never_stops_the_next_build(tmp_path, left):
    out = tmp_path / "public"
    manifest = publish(fixed(BEFORE), out)
    ready = tmp_path / ".public.commit-999999"  # no such process
    (ready / "files" / "events" / "z").mkdir(parents=True)
    (ready / "files" / "events" / "z" / "index.html").write_bytes(b"from a killed build")
    if left == "half deleted":
        (ready / "removed").write_bytes(b"events/zz/index.html\0")
        shutil.rmtree(ready / "files")
    assert pending(out)
    publish(fixed(AFTER), out, manifest)
    assert files_of(out) == AFTER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_most_files_changed_means_one_swap_of_the_whole_folder(tmp_path):
    out = tmp_path / "public"
    manifest = publish(fixed(BEFORE), out)
    folder = out.stat().st_ino
    manifest = publish(fixed({**BEFORE, "index.html": b"one change"}), out, manifest)
    assert out.stat().st_ino == folder  # updated in place
    publish(fixed({name: data + b"!" for name, data in BEFORE.items()}), out, manifest)
    assert out.stat().st_ino != folder  # swapped whole
    assert files_of(out) == {name: data + b"!" for name, data in BEFORE.items()}


def test_keys_of_an_update_are_compared_by_two_processes(site, tmp_path, monkeypatch):
    """Both processes compute keys and compare files with the last publish,
    and the update is the one a single process makes."""
    monkeypatch.setattr(timeline.publish, "PARALLEL_KEYS_MIN", 2)
    outs = {}
    for workers in (1, 2):
        out = outs[workers] = tmp_path / f"public-{workers}"
        manifest = publish(plan_site(site), out, workers=workers)
        keyed_by = tmp_path / f"keyed-{workers}.txt"
        plan = plan_site(site)

        def noting_pid(job):
            def key():
                with keyed_by.open("a") as log:
                    log.write(f"{os.getpid()}\n")
                return "edited" if job.path == "about/index.html" else job.key
            return Job(job.path, (lambda: b"edited") if job.path == "about/index.html" else job.make, key)

        publish({path: noting_pid(plan[path]) for path in plan}, out, manifest, workers=workers)
        assert len(set(keyed_by.read_text().split())) == workers
        assert (out / "about" / "index.html").read_bytes() == b"edited"
    assert tree(outs[1]) == tree(outs[2])


def test_a_failure_while_comparing_keys_in_the_helper_is_raised(site, tmp_path, monkeypatch):
    monkeypatch.setattr(timeline.publish, "PARALLEL_KEYS_MIN", 2)
    out = tmp_path / "public"
    manifest = publish(plan_site(site), out, workers=2)
    before = tree(out)
    plan = plan_site(site)
    main = os.getpid()

    def failing_key(job):
        def key():
            if os.getpid() != main:
                raise RuntimeError(f"injected: no key for {job.path}")
            return "edited" if job.path == "about/index.html" else job.key  # so there is work to do
        return Job(job.path, job.make, key)

    with pytest.raises(RuntimeError, match="injected"):
        publish({path: failing_key(plan[path]) for path in plan}, out, manifest, workers=2)
    assert tree(out) == before


def test_a_publish_without_record_writes_the_same_files_and_describes_none(site, tmp_path):
    recorded = publish(plan_site(site), tmp_path / "recorded", workers=2)
    bare = publish(plan_site(site), tmp_path / "bare", workers=2, record=False)
    assert bare == {} and len(recorded) == len(plan_site(site))
    assert tree(tmp_path / "bare") == tree(tmp_path / "recorded")
