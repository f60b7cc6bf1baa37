"""Nothing is lost when a build fails, is interrupted or is pointed at the wrong folder.

- A render that raises (in Python or in a template) and a write that fails
  part-way (disk full after N files, a rename refused) leave the previous
  complete output byte for byte as it was, and no ``.NAME.new-*`` or
  ``.NAME.old-*`` folder beside it.
- A real ``build.py`` killed with SIGKILL at several moments of a large
  build leaves the output either entirely as before or entirely the new
  build, never a mix; what is left beside it is reported (printed).
- An output folder that holds the project itself is refused.
- The preview server survives a hundred rapid saves, some of them broken,
  and ends up serving the last content saved.
"""
from __future__ import annotations

import errno
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import shipped_title
from test_serve import Server, free_port, get, wait_until

from timeline.commands.build import build

ROOT = Path(__file__).resolve().parent.parent
TITLE = shipped_title("istanbul-talks-2022")


def snapshot(folder: Path) -> dict[str, str | None]:
    """Every file's content digest (folders as None), by relative path."""
    return {p.relative_to(folder).as_posix(): (hashlib.blake2b(p.read_bytes()).hexdigest() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith((f".{out.name}.new-", f".{out.name}.old-")))


@pytest.fixture
def project(tmp_path) -> Path:
    """The shipped record in a temporary folder, built once into public/."""
    shutil.copy(ROOT / "events.toml", tmp_path / "events.toml")
    shutil.copytree(ROOT / "site_src" / "sources", tmp_path / "site_src" / "sources")
    site, problems = build(tmp_path / "events.toml", tmp_path / "public", "events.toml")
    assert site is not None, problems
    # The next build differs, so a build that got through would show.
    text = (tmp_path / "events.toml").read_text(encoding="utf-8")
    (tmp_path / "events.toml").write_text(text.replace(f'title = "{TITLE}"', 'title = "Changed"', 1), encoding="utf-8")
    return tmp_path


def build_fails_leaving_all_as_it_was(project: Path, error: type[BaseException]) -> None:
    out = project / "public"
    before = snapshot(out)
    with pytest.raises(error):
        build(project / "events.toml", out, "events.toml")
    assert snapshot(out) == before
    assert leftovers(out) == []


# --- failures in rendering ---------------------------------------------------------

def test_render_failure_keeps_the_previous_output(project, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("injected: source pages cannot be rendered")

    monkeypatch.setattr("timeline.site.plan.source_pages", broken)
    build_fails_leaving_all_as_it_was(project, RuntimeError)


def test_template_failure_keeps_the_previous_output(project, monkeypatch):
    import jinja2

    from timeline.render.templates import make_environment as real

    def with_a_broken_template(*args, **kwargs):
        env = real(*args, **kwargs)
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({"source.html": "{{ 1 // 0 }}"}), env.loader])
        return env

    monkeypatch.setattr("timeline.commands.build.make_environment", with_a_broken_template)
    out = project / "public"
    before = snapshot(out)
    site, problems = build(project / "events.toml", out, "events.toml")
    assert site is None and [p.message for p in problems] == ["ZeroDivisionError: integer division or modulo by zero"]
    assert snapshot(out) == before
    assert leftovers(out) == []


# --- failures in writing ---------------------------------------------------------------

@pytest.mark.parametrize("when", ["first", "second", "half", "last"])
def test_disk_full_after_some_files_keeps_the_previous_output(project, monkeypatch, when):
    from timeline.publish import files
    # Counted in one process; a failure in either of two is test_publish's.
    monkeypatch.setattr(files, "PARALLEL_MIN", 10**9)
    count = sum(1 for p in (project / "public").rglob("*") if p.is_file())
    after = {"first": 0, "second": 1, "half": count // 2, "last": count - 1}[when]
    real = Path.open
    written = []

    def open_file(self, mode="r", *args, **kwargs):
        if "w" in mode and self.name != "build-cache.pickle":
            if len(written) >= after:
                raise OSError(errno.ENOSPC, "No space left on device (injected)", str(self))
            written.append(self)
        return real(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_file)
    build_fails_leaving_all_as_it_was(project, OSError)
    assert len(written) == after


@pytest.mark.parametrize("failing_call", [1, 2])
def test_refused_rename_keeps_the_previous_output(project, monkeypatch, failing_call):
    """Where the swap is two renames (no atomic exchange): call 1 moves the old
    output aside, call 2 moves the new one in; the third (putting the old one
    back after a failed second) must work."""
    from timeline.publish import swap
    monkeypatch.setattr(swap, "_exchange", lambda a, b: False)
    real = os.rename
    calls = []

    def rename(source, target, *args, **kwargs):
        calls.append((Path(source).name, Path(target).name))
        if len(calls) == failing_call:
            raise OSError(errno.EXDEV, "Invalid cross-device link (injected)")
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    build_fails_leaving_all_as_it_was(project, OSError)
    assert len(calls) == failing_call + (1 if failing_call == 2 else 0), calls


def test_interrupt_while_writing_keeps_the_previous_output(project, monkeypatch):
    """Ctrl-C (KeyboardInterrupt) in the middle of writing."""
    real = Path.open
    count = [0]

    def open_file(self, mode="r", *args, **kwargs):
        if "w" in mode:
            count[0] += 1
            if count[0] == 10:
                raise KeyboardInterrupt
        return real(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_file)
    build_fails_leaving_all_as_it_was(project, KeyboardInterrupt)


# --- SIGKILL of a real build --------------------------------------------------------------

# When to kill: seconds after the start (validating, rendering), or once the
# new folder holds a share of the files (writing).
KILL_POINTS = (("seconds", 0.3), ("seconds", 1.5), ("written", 0.0), ("written", 0.1), ("written", 0.5),
               ("written", 0.95), ("seconds", 30.0))


def _written(out: Path, ignore: set[str]) -> int:
    """Files in the build's new folder so far (it may be renamed meanwhile)."""
    return sum(len(files) for name in leftovers(out) if name.startswith(f".{out.name}.new-") and name not in ignore
               for _, _, files in os.walk(out.parent / name))


@pytest.fixture(scope="module")
def large_record(tmp_path_factory):
    """A synthetic record of 1,000 events, its earlier output and, for
    comparison, the output of the changed record a kill interrupts."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.synth import write_record

    folder = tmp_path_factory.mktemp("large")
    events = write_record(folder, 1000)
    out = folder / "public"
    cli(events, out)
    before = snapshot(out)
    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace('title = "Synthetic timeline"', 'title = "Synthetic timeline, changed"', 1),
                      encoding="utf-8")
    reference = folder / "reference"
    cli(events, reference)
    return events, out, before, snapshot(reference)


def cli(events: Path, out: Path) -> float:
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-cache", "--events", str(events),
                             "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return time.monotonic() - started


def test_sigkill_during_a_large_build_never_leaves_a_mixed_output(large_record):
    events, out, before, after = large_record
    total = sum(1 for v in before.values() if v is not None)
    observations = []
    for kind, amount in KILL_POINTS:
        stale_before = set(leftovers(out))
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--no-cache", "--events", str(events),
                                    "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        while process.poll() is None and time.monotonic() - started < 120:
            if kind == "seconds" and time.monotonic() - started >= amount:
                break
            if kind == "written" and set(leftovers(out)) - stale_before and _written(out, stale_before) >= amount * total:
                break
            time.sleep(0.005)
        delay = time.monotonic() - started
        finished = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert out.is_dir(), f"killed after {delay} s: {out.name}/ is gone; beside it: {leftovers(out)}"
        now = snapshot(out)
        state = "unchanged" if now == before else "the new build" if now == after else "MIXED"
        stale = leftovers(out)
        sizes = [sum(1 for p in (out.parent / name).rglob("*") if p.is_file()) for name in stale]
        when = f"{amount:.0%} of the files written" if kind == "written" else f"{amount:.1f} s"
        observations.append(f"kill at {when}, after {delay:.2f} s{' (it had finished)' if finished else ''}: "
                            f"{out.name}/ {state}; beside it: "
                            f"{', '.join(f'{n} ({k} files)' for n, k in zip(stale, sizes)) or 'nothing'}")
        assert state != "MIXED", observations[-1]
        assert all(name.startswith(".") for name in stale)  # hidden, at least
        if state == "the new build":  # later kills would find finished builds too
            break
    remaining = leftovers(out)
    cli(events, out)
    observations.append(f"after the next successful build: {out.name}/ the new build: {snapshot(out) == after}; "
                        f"beside it: {leftovers(out) or 'nothing'} (before it: {remaining or 'nothing'})")
    print("\n".join(observations))
    if (ROOT / "test-artifacts").is_dir():
        (ROOT / "test-artifacts" / "sigkill-observations.txt").write_text("\n".join(observations) + "\n")
    assert snapshot(out) == after
    assert all(name.startswith(".") for name in leftovers(out))


KILL_AFTER_SWAP = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from timeline.publish import swap
    real = swap.{hook}
    def hooked(*args, **kwargs):
        result = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)  # right after the swap step, before any clean-up
        return result
    swap.{hook} = hooked
    from timeline.cli import main
    sys.exit(main(["--no-cache", "--events", {events!r}, "--out", {out!r}]))
""")

# Where the swap is two renames (no atomic exchange), a kill between them
# leaves the previous site moved aside and no output folder at all.
KILL_BETWEEN_RENAMES = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from timeline.publish import swap
    swap._exchange = lambda a, b: False  # as on a system without renameat2
    real = os.rename
    calls = []
    def rename(source, target, *args, **kwargs):
        real(source, target, *args, **kwargs)
        calls.append(target)
        if len(calls) == 1:  # the old output has just been moved aside
            os.kill(os.getpid(), signal.SIGKILL)
    os.rename = rename
    from timeline.cli import main
    sys.exit(main(["--no-cache", "--events", {events!r}, "--out", {out!r}]))
""")


# A build that knows the last one moves its changed files in one by one: a
# kill right after marking the staging folder complete (moved=0), or after
# the first file was moved in (moved=1).
KILL_WHILE_MOVING_IN = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    real_rename, real_replace = os.rename, os.replace
    done = []
    def rename(source, target, *args, **kwargs):
        real_rename(source, target, *args, **kwargs)
        if ".commit-" in str(target) and {moved} == 0:
            os.kill(os.getpid(), signal.SIGKILL)
    def replace(source, target, *args, **kwargs):
        real_replace(source, target, *args, **kwargs)
        if ".commit-" in str(source):
            done.append(target)
            if len(done) == {moved}:
                os.kill(os.getpid(), signal.SIGKILL)
    os.rename, os.replace = rename, replace
    from timeline.cli import main
    sys.exit(main(["--events", {events!r}, "--out", {out!r}]))
""")


def _run(script: str, project: Path, **extra) -> subprocess.CompletedProcess:
    code = script.format(root=str(ROOT), events=str(project / "events.toml"), out=str(project / "public"), **extra)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_sigkill_right_after_the_atomic_swap_leaves_the_new_site(project):
    result = _run(KILL_AFTER_SWAP, project, hook="_exchange")
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert (project / "public" / "index.html").is_file()
    assert leftovers(project / "public"), "the kill should have left the previous site beside the output"


def test_sigkill_between_two_renames_leaves_no_output_until_the_next_build(project):
    result = _run(KILL_BETWEEN_RENAMES, project)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert not (project / "public").exists()
    assert leftovers(project / "public")  # the previous site, moved aside


@pytest.mark.parametrize("kill", ["after swap", "between renames"])
def test_next_build_repairs_what_a_killed_build_left(project, kill):
    if kill == "after swap":
        assert _run(KILL_AFTER_SWAP, project, hook="_exchange").returncode == -signal.SIGKILL
    else:
        assert _run(KILL_BETWEEN_RENAMES, project).returncode == -signal.SIGKILL
    assert leftovers(project / "public"), "the kill left nothing behind: the scenario did not happen"
    site, problems = build(project / "events.toml", project / "public", "events.toml")
    assert site is not None, problems
    assert leftovers(project / "public") == []
    assert (project / "public" / "index.html").is_file()


def test_a_build_killed_between_renames_is_put_back_before_anything_else(project):
    before = snapshot(project / "public")
    assert _run(KILL_BETWEEN_RENAMES, project).returncode == -signal.SIGKILL
    from timeline.publish import recover
    recover(project / "public")
    assert snapshot(project / "public") == before
    assert leftovers(project / "public") == []


@pytest.mark.parametrize("moved", [0, 1])
@pytest.mark.parametrize("then", ["the same edit", "the edit undone"])
def test_a_build_killed_while_moving_files_in_is_finished_by_the_next(project, moved, then):
    from timeline.publish import pending
    events = project / "events.toml"
    changed = events.read_text(encoding="utf-8")
    original = changed.replace('title = "Changed"', f'title = "{TITLE}"', 1)
    events.write_text(original, encoding="utf-8")
    cached_build = [sys.executable, str(ROOT / "build.py"), "--events", str(events), "--out", str(project / "public")]
    assert subprocess.run(cached_build, capture_output=True, timeout=120).returncode == 0
    events.write_text(changed, encoding="utf-8")
    result = _run(KILL_WHILE_MOVING_IN, project, moved=moved)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert pending(project / "public"), "the kill came too early or too late"
    if then == "the edit undone":
        events.write_text(original, encoding="utf-8")
    rebuilt = subprocess.run(cached_build, capture_output=True, text=True, timeout=120)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "up to date" not in rebuilt.stdout
    reference = subprocess.run([*cached_build[:-1], str(project / "reference"), "--no-cache"], capture_output=True)
    assert reference.returncode == 0
    assert snapshot(project / "public") == snapshot(project / "reference")
    assert not pending(project / "public") and leftovers(project / "public") == []


# --- an output folder that holds the project -----------------------------------------------

@pytest.mark.parametrize("out", [".", "site_src", "site_src/sources"])
def test_output_folder_holding_the_project_is_refused(project, out):
    keep = snapshot(project / "site_src")
    events = (project / "events.toml").read_bytes()
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-cache", "--out", out],
                            cwd=project, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert (project / "events.toml").read_bytes() == events
    assert snapshot(project / "site_src") == keep


# --- the preview server under a storm of saves ----------------------------------------------

def test_preview_survives_a_hundred_rapid_edits(tmp_path):
    shutil.copy(ROOT / "events.toml", tmp_path / "events.toml")
    shutil.copytree(ROOT / "site_src" / "sources", tmp_path / "site_src" / "sources")
    server = Server(tmp_path, free_port())
    try:
        original = server.events.read_text(encoding="utf-8")
        line = f'title = "{TITLE}"'
        assert original.count(line) == 1
        rng = random.Random(7)
        for i in range(100):
            if i % 10 == 3:
                new = f'title = "Edit {i}'  # an unclosed string
            elif i % 10 == 7:
                new = f"title = {i}"  # a number: a validation error
            elif i % 10 == 9:
                new = f'title = "Edit {i}"\nsumary = "misspelt"'
            else:
                new = f'title = "Edit {i}"'
            server.events.write_text(original.replace(line, new), encoding="utf-8")
            time.sleep(rng.choice([0, 0.001, 0.005, 0.02, 0.05, 0.1]))
        # A last good save, then a broken one: the good one must be served.
        server.events.write_text(original.replace(line, 'title = "Final edit"'), encoding="utf-8")
        wait_until(lambda: b"Final edit" in get(server.port, "/")[2], timeout=30)
        wait_until(lambda: b"Final edit" in get(server.port, "/events/istanbul-talks-2022/")[2], timeout=10)
        server.events.write_text(original.replace(line, 'title = "Broken'), encoding="utf-8")
        wait_until(lambda: server.log.read_text().rstrip().endswith("still serving the last good build."),
                   timeout=30)
        status, _, body = get(server.port, "/events/istanbul-talks-2022/")
        assert status == 200 and b"Final edit" in body and not re.search(rb"Edit \d", body)
        assert server.process.poll() is None, server.log.read_text()[-3000:]
        log = server.log.read_text()
        assert "Traceback" not in log, log[-3000:]
        print(f"{log.count('Rebuilt in')} good and {log.count('still serving the last good build')} failed "
              f"rebuilds for 102 saves")
    finally:
        if server.process.poll() is None:
            assert server.stop() == 0


def test_ctrl_c_through_the_command_line_says_so_and_keeps_the_output(whole_project):
    """A real SIGINT while the build makes its files. In a copy of the
    project, the about page's template is given a long loop after a first
    good build, so that the build is sure to be still at work when the
    signal comes, however busy the machine."""
    tmp_path = whole_project
    out = tmp_path / "public"
    command = [sys.executable, "build.py", "--no-cache"]
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=300).returncode == 0
    before = snapshot(out)
    page = tmp_path / "templates" / "page.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "{{ body }}", "{{ body }}{% for i in range(10 ** 9) %}{% endfor %}"), encoding="utf-8")
    build_run = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: leftovers(out), timeout=60, interval=0.01)  # its staging folder: files are being made
    time.sleep(0.5)
    build_run.send_signal(signal.SIGINT)
    _, stderr = build_run.communicate(timeout=60)
    assert build_run.returncode == 130
    assert stderr.strip() == "Interrupted; public/ is unchanged, or the next build finishes what this one began."
    assert snapshot(out) == before
    assert leftovers(out) == []
