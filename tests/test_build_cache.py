"""The build cache on disk may speed a build up but never change its output:
a build with a warm, stale, damaged or foreign cache writes exactly what a
build with --no-cache writes."""
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shipped_title

ROOT = Path(__file__).resolve().parent.parent
TALKS = shipped_title("istanbul-talks-2022")
WAR = shipped_title("war-erupts-2022")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path):
    shutil.copy(ROOT / "events.toml", tmp_path / "events.toml")
    shutil.copytree(ROOT / "site_src" / "sources", tmp_path / "site_src" / "sources")
    return tmp_path


def build(project: Path, out: str, *flags: str, env: dict | None = None) -> str:
    """Run a build; its standard output."""
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--events", str(project / "events.toml"),
                             "--out", str(project / out), *flags], capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_cache_lives_beside_the_events_file_and_no_cache_leaves_none(project):
    build(project, "plain", "--no-cache")
    assert not (project / ".cache").exists()
    build(project, "cached")
    assert (project / ".cache" / "build-cache.pickle").is_file()
    assert tree(project / "plain") == tree(project / "cached")


def test_warm_cache_after_edits_gives_the_fresh_output(project):
    build(project, "public")  # fills the cache
    events = project / "events.toml"
    edit(events, f'title = "{TALKS}"', f'title = "{TALKS} (edited)"')
    edit(events, 'title = "Russia-Ukraine Negotiations Stall Without Peace Agreement"', 'title = "Renamed"')
    build(project, "public")
    build(project, "fresh", "--no-cache")
    assert tree(project / "public") == tree(project / "fresh")
    # A source text changed under the cache: quotes are checked again.
    source = project / "site_src" / "sources" / "004_42b39f02cca32838.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("six-hour", "eight-hour"), encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--events", str(events), "--out",
                             str(project / "public")], capture_output=True, text=True)
    assert result.returncode == 1 and "quote not found in source 's004'" in result.stderr


def test_a_copy_of_a_cached_event_is_a_duplicate_with_its_line(project):
    """An event reused from the cache is still checked against the others:
    a second copy of its text is a duplicate id, named at the copy's line."""
    build(project, "public")  # the cache holds every event, by its text
    events = project / "events.toml"
    text = events.read_text(encoding="utf-8")
    starts = [i for i in range(len(text)) if text.startswith("[[events]]", i) and (i == 0 or text[i - 1] == "\n")]
    first = text[starts[0]:starts[1]]
    events.write_text(text + "\n" + first, encoding="utf-8")
    assert first.startswith("[[events]]\nid = ")
    line = text.count("\n") + 3  # after a blank line and the copy's header: its id
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--events", str(events), "--out",
                             str(project / "public")], capture_output=True, text=True)
    assert result.returncode == 1, result.stdout
    assert f"events.toml:{line}:" in result.stderr and "duplicate id" in result.stderr, result.stderr


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty", "directory", "foreign-version"])
def test_damaged_or_foreign_cache_is_ignored(project, damage):
    build(project, "fresh", "--no-cache")
    build(project, "public")
    cache_file = project / ".cache" / "build-cache.pickle"
    raw = cache_file.read_bytes()
    if damage == "garbage":
        cache_file.write_bytes(os.urandom(4096))
    elif damage == "truncated":
        cache_file.write_bytes(raw[: len(raw) // 2])
    elif damage == "flipped":
        middle = len(raw) // 2
        cache_file.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1:])
    elif damage == "empty":
        cache_file.write_bytes(b"")
    elif damage == "directory":
        cache_file.unlink()
        cache_file.mkdir()
    elif damage == "foreign-version":
        import hashlib
        state = pickle.loads(raw[32:])
        state["version"] = "other code"
        payload = pickle.dumps(state)
        cache_file.write_bytes(hashlib.sha256(payload).digest() + payload)
    # An edit, so that the build cannot stop at the stamp and must read the cache.
    edit(project / "events.toml", f'title = "{TALKS}"', f'title = "{TALKS} (edited)"')
    build(project, "fresh", "--no-cache")
    if damage == "directory":
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--events", str(project / "events.toml"),
                                 "--out", str(project / "public")], capture_output=True, text=True)
        # The site is built; only saving the cache can fail, and it says so without a traceback.
        assert tree(project / "public") == tree(project / "fresh")
        assert "Traceback" not in result.stderr
        return
    assert "up to date" not in build(project, "public")
    assert tree(project / "public") == tree(project / "fresh")


def test_custom_cache_dir(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("cache")
    build(project, "public", "--cache-dir", str(elsewhere))
    assert (elsewhere / "build-cache.pickle").is_file()
    assert not (project / ".cache").exists()


def test_unchanged_files_are_linked_not_rewritten_and_hand_edits_are_undone(project):
    build(project, "public")
    page = project / "public" / "about" / "index.html"
    index = project / "public" / "index.html"
    inode = page.stat().st_ino
    good_index = index.read_bytes()
    # Someone edits a published file by hand (same length, so only time and content differ).
    index.write_bytes(good_index.replace(b"<h1>", b"<h2>", 1))
    build(project, "public")
    assert page.stat().st_ino == inode  # reused: hard-linked into the new folder
    assert index.read_bytes() == good_index  # not trusted: written again
    build(project, "fresh", "--no-cache")
    assert tree(project / "public") == tree(project / "fresh")


def test_nothing_changed_leaves_the_published_folder_as_it_is(project):
    build(project, "public")
    out = project / "public"
    before = {p: p.stat().st_ino for p in out.rglob("*")}
    folder = out.stat().st_ino
    build(project, "public")
    assert out.stat().st_ino == folder  # not swapped for a new folder
    assert {p: p.stat().st_ino for p in out.rglob("*")} == before


@pytest.mark.parametrize("meddle", ["added", "deleted", "edited"])
def test_a_published_folder_changed_by_hand_is_built_again(project, meddle):
    build(project, "public")
    out = project / "public"
    if meddle == "added":
        (out / "events" / "stray.html").write_text("not ours")
    elif meddle == "deleted":
        (out / "about" / "index.html").unlink()
    else:
        page = out / "about" / "index.html"
        page.write_bytes(page.read_bytes().replace(b"<h1>", b"<h2>", 1))
    build(project, "public")
    build(project, "fresh", "--no-cache")
    assert tree(out) == tree(project / "fresh")


# --- the stamp: a build with nothing to do stops before loading -------------------------

def test_a_build_with_nothing_changed_says_so(project):
    assert "up to date" not in build(project, "public")
    assert "public/ is up to date" in build(project, "public")
    edit(project / "events.toml", f'title = "{TALKS}"', 'title = "Edited"')
    edit(project / "events.toml", 'title = "Edited"', f'title = "{TALKS}"')
    assert "up to date" in build(project, "public")  # edited and put back: the same input


@pytest.mark.parametrize("change", ["source text", "SOURCE_DATE_EPOCH", "base url", "other output folder",
                                    "file deleted", "file added", "event edited"])
def test_any_changed_input_or_output_means_a_build(project, change):
    flags, env = [], {}
    build(project, "public")
    events = project / "events.toml"
    if change == "source text":  # the quotes still match; the source page shows the new paragraph
        source = project / "site_src" / "sources" / "004_42b39f02cca32838.txt"
        source.write_text(source.read_text(encoding="utf-8") + "\nA paragraph added later.\n", encoding="utf-8")
    elif change == "SOURCE_DATE_EPOCH":
        env = {"SOURCE_DATE_EPOCH": "1700000000"}
    elif change == "base url":
        flags = ["--base-url", "https://example.org/timeline/"]
    elif change == "other output folder":
        shutil.copytree(project / "public", project / "other")
        (project / "other" / "about" / "index.html").unlink()
    elif change == "file deleted":
        (project / "public" / "events.json").unlink()
    elif change == "file added":
        (project / "public" / "stray.html").write_text("not ours")
    else:
        edit(events, f'title = "{TALKS}"', f'title = "{TALKS} (edited)"')
    out = "other" if change == "other output folder" else "public"
    assert "up to date" not in build(project, out, *flags, env=env)
    build(project, "fresh", "--no-cache", *flags, env=env)
    assert tree(project / out) == tree(project / "fresh")
    assert "up to date" in build(project, out, *flags, env=env)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty", "foreign code"])
def test_a_damaged_or_foreign_stamp_means_a_build(project, damage):
    build(project, "public")
    stamp_file = project / ".cache" / "published.pickle"
    raw = stamp_file.read_bytes()
    if damage == "garbage":
        stamp_file.write_bytes(os.urandom(4096))
    elif damage == "truncated":
        stamp_file.write_bytes(raw[: len(raw) // 2])
    elif damage == "flipped":
        middle = len(raw) // 2
        stamp_file.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0xFF]) + raw[middle + 1:])
    elif damage == "empty":
        stamp_file.write_bytes(b"")
    else:
        import dataclasses
        import hashlib
        payload = pickle.dumps(dataclasses.replace(pickle.loads(raw[32:]), code="other code"))
        stamp_file.write_bytes(hashlib.sha256(payload).digest() + payload)
    (project / "public" / "index.html").write_bytes(b"edited by hand")  # only a real build puts it right
    assert "up to date" not in build(project, "public")
    build(project, "fresh", "--no-cache")
    assert tree(project / "public") == tree(project / "fresh")


# --- small changes go into a second cache file ---------------------------------------------

def test_small_edits_are_saved_beside_the_cache_not_into_it(project):
    build(project, "public")
    main = project / ".cache" / "build-cache.pickle"
    delta = project / ".cache" / "build-cache.delta.pickle"
    saved = main.read_bytes()
    events = project / "events.toml"
    edit(events, f'title = "{TALKS}"', f'title = "{TALKS} (edited)"')
    build(project, "public")
    assert main.read_bytes() == saved and delta.is_file()
    edit(events, f'title = "{WAR}"', f'title = "{WAR} (edited)"')
    build(project, "public")
    assert main.read_bytes() == saved
    build(project, "fresh", "--no-cache")
    assert tree(project / "public") == tree(project / "fresh")


@pytest.mark.parametrize("damage", ["flipped", "truncated", "of another main file"])
def test_a_damaged_or_stray_delta_is_ignored(project, damage):
    build(project, "public")
    events = project / "events.toml"
    delta = project / ".cache" / "build-cache.delta.pickle"
    edit(events, f'title = "{TALKS}"', f'title = "{TALKS} (edited)"')
    build(project, "public")
    raw = delta.read_bytes()
    if damage == "flipped":
        delta.write_bytes(raw[:100] + bytes([raw[100] ^ 0xFF]) + raw[101:])
    elif damage == "truncated":
        delta.write_bytes(raw[: len(raw) // 2])
    else:  # the main file is made anew; then the old delta comes back
        (project / ".cache" / "build-cache.pickle").unlink()
        (project / "public" / "index.html").unlink()  # so that the build does not stop at the stamp
        build(project, "public")
        assert not delta.exists()
        delta.write_bytes(raw)
    edit(events, 'title = "Russia-Ukraine Negotiations Stall Without Peace Agreement"', 'title = "Renamed"')
    build(project, "public")
    build(project, "fresh", "--no-cache")
    assert tree(project / "public") == tree(project / "fresh")


def test_renamed_sources_then_an_undone_edit_give_the_fresh_output(tmp_path):
    """Renaming the sources changes every view; an edit undone afterwards
    must not bring back a view made under the old names. (A record small
    enough that the cache saves the change as a delta.)"""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_record

    events = write_record(tmp_path, 4)
    build(tmp_path, "public")
    edit(events, 'title = "Synthetic event 1:', 'title = "Edited event 1:')
    events.write_text(events.read_text(encoding="utf-8").replace('title = "Synthetic report', 'title = "Renamed report'),
                      encoding="utf-8")
    build(tmp_path, "public")
    edit(events, 'title = "Edited event 1:', 'title = "Synthetic event 1:')
    build(tmp_path, "public")
    build(tmp_path, "fresh", "--no-cache")
    assert tree(tmp_path / "public") == tree(tmp_path / "fresh")


def test_an_events_file_saved_during_a_build_is_not_stamped_as_the_old_one(project, monkeypatch):
    """The stamp names the bytes the build parsed: a save between the start
    of a build and its load, then undone, is not taken for "up to date"."""
    from timeline.commands import build as build_command
    from timeline.commands import check as check_command
    events = project / "events.toml"
    original = events.read_text(encoding="utf-8")
    edited = original.replace(f'title = "{TALKS}"', 'title = "Saved mid-build"', 1)
    cache_dir, out = project / ".cache", project / "public"
    real = check_command.load

    def load_after_a_save(*args, **kwargs):
        events.write_text(edited, encoding="utf-8")  # the editor saves as the build starts loading
        return real(*args, **kwargs)

    monkeypatch.setattr(check_command, "load", load_after_a_save)
    site, problems = build_command.build(events, out, "events.toml", cache_dir=cache_dir)
    assert site is not None, problems
    monkeypatch.setattr(check_command, "load", real)
    assert "Saved mid-build" in (out / "index.html").read_text(encoding="utf-8")
    events.write_text(original, encoding="utf-8")  # and undoes it
    assert build_command.unchanged(events, out, None, cache_dir) is None
    assert "up to date" not in build(project, "public")
    build(project, "fresh", "--no-cache")
    assert tree(project / "public") == tree(project / "fresh")


def test_no_stamp_when_the_code_changed_during_the_build(project, monkeypatch):
    from timeline.commands import build as build_command
    from timeline.speed import stamp
    monkeypatch.setattr(stamp, "code_digest", lambda: "changed meanwhile")
    site, problems = build_command.build(project / "events.toml", project / "public", "events.toml",
                                                  cache_dir=project / ".cache")
    assert site is not None, problems
    assert not (project / ".cache" / stamp.FILE_NAME).exists()


def test_a_cached_build_leaves_nothing_frozen(project):
    import gc

    from timeline.commands import build as build_command
    for _ in range(2):
        site, problems = build_command.build(project / "events.toml", project / "public", "events.toml",
                                                      cache_dir=project / ".cache")
        assert site is not None, problems
        assert gc.get_freeze_count() == 0
