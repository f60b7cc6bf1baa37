"""A catalogue of bad inputs, each run through the real command line.

Every ``tests/bad_inputs/NAME.toml`` is a small events file with one kind of
mistake (its first line says which); ``NAME.expected`` holds the exact
problem lines ``python build.py --events tests/bad_inputs/NAME.toml`` must
print. For every file the build must:

- exit with status 1 and print nothing on stdout,
- list every problem as ``FILE:LINE: [subject:] message``, LINE inside the file,
- never show a traceback,
- write nothing: a missing output folder is not created, an existing one is
  left byte for byte as it was, and no ``.OUT.new-*``/``.OUT.old-*`` folder
  is left beside it.

The sources the fixtures cite are in ``tests/bad_inputs/sources/``.
Cases that cannot be committed (symbolic links) or would be too big for the
repository (20,000 events, a 50 MB string) are generated at test time.
tests/test_validate.py checks the messages through ``check``; here
the emphasis is on the published command and on what it must not do.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "bad_inputs"
FIXTURES = sorted(p.stem for p in HERE.glob("*.toml"))

# FILE:LINE: [subject:] message; the subject is an event, a source or [site].
PROBLEM = re.compile(
    r"^(?P<file>[^:\n]+):(?P<line>\d+): (?:(?:event '[^']+'|event #\d+|source '[^']+'|\[site\]): )?(?P<message>\S.*)$"
)

# Fixtures whose output shows a bug; their .expected holds the output wanted.
BUGS: dict[str, str] = {}  # fixture name → reason, for a known bug still open


def _xfail_if_bug(name: str):
    if name in BUGS:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=BUGS[name]))
    return name


def expected_lines(name: str) -> list[str]:
    return (HERE / f"{name}.expected").read_text(encoding="utf-8").splitlines()


def file_line_count(path: Path) -> int:
    raw = path.read_bytes()
    return max(1, raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1))


# --- running the command line -------------------------------------------------

def previous_output(out: Path) -> None:
    """A stand-in for an earlier complete build."""
    (out / "events" / "old-event").mkdir(parents=True)
    (out / "index.html").write_bytes(b"<!doctype html><title>previous</title>\n")
    (out / "events" / "old-event" / "index.html").write_bytes(b"<!doctype html><title>old event</title>\n")
    (out / "style.css").write_bytes(b"body{}\n")


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith((f".{out.name}.new-", f".{out.name}.old-")))


def start_build(events: str | Path, out: Path, cwd: Path = ROOT) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--events", str(events), "--out", str(out)],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        errors="backslashreplace",
    )


def refused(events: str | Path, tmp_path: Path, cwd: Path = ROOT, timeout: float = 120,
            both: bool = True) -> list[str]:
    """Build `events` twice at once (no output folder yet; an earlier build in
    place), check that nothing was written either way, and return the problem
    lines (stderr without its two summary lines). `both=False` runs only the
    second case, for the inputs that take seconds to read."""
    fresh = tmp_path / "fresh" / "public"
    fresh.parent.mkdir(parents=True)
    kept = tmp_path / "kept" / "public"
    previous_output(kept)
    before = snapshot(kept)
    outs = (fresh, kept) if both else (kept,)
    runs = [start_build(events, out, cwd) for out in outs]
    results = []
    for process in runs:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise AssertionError(f"build.py --events {events} did not finish within {timeout} s")
        results.append((process.returncode, stdout, stderr))
    for (code, stdout, stderr), out in zip(results, outs):
        assert "Traceback" not in stderr + stdout, stderr[-3000:]
        assert code == 1, (code, stdout[-500:], stderr[-2000:])
        assert stdout == ""
        lines = stderr.splitlines()
        assert lines[-1] == f"Nothing was built; {out}/ is unchanged.", lines[-2:]
        count = len(lines) - 2
        assert lines[-2] == f"{count} problem{'' if count == 1 else 's'} found.", lines[-2:]
        assert count >= 1
        assert leftovers(out) == []
    assert not fresh.exists()
    assert snapshot(kept) == before
    # Both runs report the same problems.
    assert results[0][2].splitlines()[:-1] == results[-1][2].splitlines()[:-1]
    return results[0][2].splitlines()[:-2]


_runs: dict[str, list[str]] = {}


@pytest.fixture
def problem_lines(tmp_path):
    """The problem lines of a catalogue file, run once per session."""
    def run(name: str) -> list[str]:
        if name not in _runs:
            _runs[name] = refused(f"tests/bad_inputs/{name}.toml", tmp_path / name)
        return _runs[name]
    return run


# --- the catalogue ------------------------------------------------------------

def test_catalogue_is_complete():
    assert len(FIXTURES) >= 40
    assert {p.stem for p in HERE.glob("*.expected")} == set(FIXTURES)
    for name in FIXTURES:
        assert expected_lines(name), f"{name}.expected is empty"
        for line in expected_lines(name):
            assert line.startswith(f"tests/bad_inputs/{name}.toml:"), (name, line)


def test_byte_level_fixtures_hold_what_they_say():
    raw = {name: (HERE / f"{name}.toml").read_bytes() for name in FIXTURES}
    assert raw["empty"] == b""
    assert raw["blank_lines"].strip() == b""
    assert raw["syntax_bom"].startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        raw["syntax_not_utf8"].decode("utf-8")
    assert raw["syntax_crlf_with_error"].count(b"\r\n") == raw["syntax_crlf_with_error"].count(b"\n") > 10
    assert b"\x00" in raw["syntax_nul_byte"] and b"\x01" in raw["syntax_control_character"]
    assert b'."\ractors' in raw["syntax_bare_carriage_return"]
    assert "\u202e" in raw["id_direction_override"].decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        (HERE / "sources" / "latin1.txt").read_bytes().decode("utf-8")
    assert (HERE / "sources" / "empty.txt").read_bytes() == b""
    assert (HERE / "sources" / "folder").is_dir()
    for path in HERE.rglob("*"):
        assert not path.is_symlink(), f"{path}: symbolic links are made at test time, not committed"


@pytest.mark.parametrize("name", [_xfail_if_bug(n) for n in FIXTURES])
def test_cli_lists_exactly_the_expected_problems(problem_lines, name):
    assert problem_lines(name) == expected_lines(name)


@pytest.mark.parametrize("name", [_xfail_if_bug(n) for n in FIXTURES])
def test_every_problem_names_its_file_and_a_line_inside_it(problem_lines, name):
    lines = problem_lines(name)
    last_line = file_line_count(HERE / f"{name}.toml")
    for line in lines:
        match = PROBLEM.match(line)
        assert match, f"not FILE:LINE: [subject:] message: {line!r}"
        assert match["file"] == f"tests/bad_inputs/{name}.toml"
        assert 1 <= int(match["line"]) <= last_line, f"line {match['line']} of a {last_line}-line file: {line}"
    assert [int(PROBLEM.match(l)["line"]) for l in lines] == sorted(int(PROBLEM.match(l)["line"]) for l in lines)


def test_the_base_of_the_catalogue_is_valid(tmp_path):
    """The fixtures share one valid base; syntax_bom is that base behind a BOM."""
    from timeline.commands.check import check
    project = copy_catalogue(tmp_path)
    (project / "events.toml").write_text(BASE_WITHOUT_BOM, encoding="utf-8")
    site, problems = check(project / "events.toml", "events.toml")
    assert problems == [] and site is not None
    assert [e.id for e in site.events] == ["talks-2022"]


# --- generated at test time ---------------------------------------------------

def copy_catalogue(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(HERE / "sources", project / "sources")
    return project


BASE_WITHOUT_BOM = (HERE / "syntax_bom.toml").read_bytes()[3:].decode("utf-8").split("\n", 1)[1]


def test_crlf_line_endings_are_valid_and_build_the_same_site(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "site_src" / "sources", project / "site_src" / "sources")
    shipped = (ROOT / "events.toml").read_bytes()
    assert b"\r\n" not in shipped
    (project / "lf.toml").write_bytes(shipped)
    (project / "crlf.toml").write_bytes(shipped.replace(b"\n", b"\r\n"))
    runs = {name: start_build(f"{name}.toml", project / f"out-{name}", cwd=project) for name in ("lf", "crlf")}
    for name, process in runs.items():
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert stderr == "" and stdout.startswith("Built "), (stdout, stderr)
    assert snapshot(project / "out-crlf") == snapshot(project / "out-lf")


def test_crlf_small_file_builds(tmp_path):
    project = copy_catalogue(tmp_path)
    (project / "events.toml").write_bytes(BASE_WITHOUT_BOM.replace("\n", "\r\n").encode())
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", "public"], cwd=project,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (project / "public" / "events" / "talks-2022" / "index.html").is_file()


def test_symbolic_links_as_sources_are_refused(tmp_path):
    project = copy_catalogue(tmp_path)
    sources = project / "sources"
    (sources / "link.txt").symlink_to("doc.txt")
    (sources / "dangling.txt").symlink_to("nowhere.txt")
    (sources / "outside.txt").symlink_to(HERE / "sources" / "doc.txt")
    (sources / "etc").symlink_to("/etc")
    extra = "".join(f'[sources.{name}]\ntitle = "{name}"\nfile = "{file}"\n\n' for name, file in [
        ("link", "sources/link.txt"), ("dangling", "sources/dangling.txt"),
        ("outside", "sources/outside.txt"), ("etc", "sources/etc/hostname"),
    ])
    (project / "events.toml").write_text(BASE_WITHOUT_BOM.replace("[[events]]", extra + "[[events]]", 1),
                                         encoding="utf-8")
    assert refused("events.toml", tmp_path / "runs", cwd=project) == [
        "events.toml:10: source 'link': file 'sources/link.txt' is a symbolic link; archive the document itself",
        "events.toml:14: source 'dangling': file 'sources/dangling.txt' is a symbolic link; archive the document itself",
        "events.toml:18: source 'outside': file 'sources/outside.txt' is a symbolic link; archive the document itself",
        "events.toml:22: source 'etc': file 'sources/etc/hostname' points outside the project folder",
    ]


def test_symbolic_link_to_a_folder_in_the_path_is_refused(tmp_path):
    project = copy_catalogue(tmp_path)
    (project / "linked").symlink_to("sources")
    (project / "events.toml").write_text(
        BASE_WITHOUT_BOM.replace('file = "sources/doc.txt"', 'file = "linked/doc.txt"'), encoding="utf-8")
    lines = refused("events.toml", tmp_path / "runs", cwd=project)
    assert lines[0].startswith("events.toml:6: source 'doc': file 'linked/doc.txt' ")
    assert "symbolic link" in lines[0]


def test_events_file_of_20000_events_with_one_mistake(tmp_path):
    project = copy_catalogue(tmp_path)
    head, block = BASE_WITHOUT_BOM.split("[[events]]\n")
    events = [head]
    for i in range(20_000):
        events.append(f'[[events]]\nid = "e{i}"\ndate = "2022-03-{i % 28 + 1:02d}"\ntitle = "Event {i}"\n'
                      f'summary = "Summary {i}."\n  [[events.citations]]\n  source = "doc"\n'
                      f'  quote = "In 2022 the two delegations met in Istanbul."\n\n')
    events.append('[[events]]\nid = "e20000"\ndate = "2022-02-30"\n' + block.split("\n", 2)[2])
    text = "".join(events)
    (project / "events.toml").write_text(text, encoding="utf-8")
    bad_line = text[:text.index('date = "2022-02-30"')].count("\n") + 1
    started = time.monotonic()
    assert refused("events.toml", tmp_path / "runs", cwd=project, timeout=180, both=False) == [
        f"events.toml:{bad_line}: event 'e20000': 'date': '2022-02-30' is not a real day (February 2022 has no day 30)"
    ]
    print(f"20,000 events refused in {time.monotonic() - started:.1f} s")


@pytest.mark.parametrize("size_mb, quote", [(50, "'"), (10, '"')], ids=["50-MB-literal", "10-MB-basic"])
def test_huge_string_gives_a_clear_message(tmp_path, size_mb, quote):
    """A literal string is read fast; a basic one is read character by
    character by tomllib (about 11 s for 50 MB here), hence 10 MB."""
    project = copy_catalogue(tmp_path)
    huge = "x" * (size_mb * 1024 * 1024)
    text = BASE_WITHOUT_BOM.replace('summary = "The two delegations meet."', f"sumary = {quote}{huge}{quote}")
    (project / "events.toml").write_text(text, encoding="utf-8")
    del huge, text
    assert refused("events.toml", tmp_path / "runs", cwd=project, timeout=180, both=False) == [
        "events.toml:8: event 'talks-2022': missing required key 'summary'",
        "events.toml:12: event 'talks-2022': unknown key 'sumary' in an event; did you mean 'summary'?",
    ]


def test_huge_quote_that_is_not_found_gives_a_short_message(tmp_path):
    project = copy_catalogue(tmp_path)
    text = BASE_WITHOUT_BOM.replace('quote = "In 2022 the two delegations met in Istanbul."',
                                    f'quote = "{"y" * 1_000_000}"')
    (project / "events.toml").write_text(text, encoding="utf-8")
    (line,) = refused("events.toml", tmp_path / "runs", cwd=project)
    assert line.startswith("events.toml:17: event 'talks-2022': quote not found in source 'doc'")
    assert len(line) < 2000, f"a {len(line):,}-character line"


def test_events_path_that_is_a_symbolic_link_loop(tmp_path):
    project = copy_catalogue(tmp_path)
    (project / "events.toml").symlink_to("events.toml")
    lines = refused("events.toml", tmp_path / "runs", cwd=project)
    assert len(lines) == 1 and lines[0].startswith("events.toml: cannot be read: "), lines


def test_a_source_name_the_system_cannot_take_is_a_problem_not_a_traceback(tmp_path):
    project = copy_catalogue(tmp_path)
    long_name = "sources/" + "x" * 3000 + ".txt"  # over the file system's limit of 255 bytes a name
    extra = f'[sources.long]\ntitle = "long"\nfile = "{long_name}"\n\n'
    (project / "events.toml").write_text(BASE_WITHOUT_BOM.replace("[[events]]", extra + "[[events]]", 1),
                                         encoding="utf-8")
    assert refused("events.toml", tmp_path / "runs", cwd=project) == [
        f"events.toml:10: source 'long': file '{long_name[:200]}…' cannot be read: File name too long",
    ]


def test_an_output_folder_that_cannot_be_made_is_a_problem_not_a_traceback(tmp_path):
    project = copy_catalogue(tmp_path)
    (project / "events.toml").write_text(BASE_WITHOUT_BOM, encoding="utf-8")
    (project / "blocker").write_text("a file where the output's folder would go", encoding="utf-8")
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", "blocker/public"], cwd=project,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == ["blocker: cannot be written: File exists", "1 problem found.",
                                          "Nothing was built; blocker/public/ is unchanged."]
