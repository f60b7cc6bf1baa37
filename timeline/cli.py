"""Argument parsing and terminal output; the commands themselves live in timeline/commands/."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from timeline.commands.build import build, default_cache_dir, unchanged
from timeline.commands.check import check
from timeline.errors import Problem
from timeline.record.checking import is_http_url
from timeline.record.rules.site import commit_url_problem


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Validate events.toml and build the static timeline site.",
        epilog="Also: `python build.py new-event ID` prints a new event to fill in (--append adds it).",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="validate only; write nothing")
    mode.add_argument("--serve", action="store_true", help="build, serve and rebuild on every change")
    parser.add_argument("--events", default="events.toml", metavar="PATH", help="events file (default: events.toml)")
    parser.add_argument("--out", default="public", metavar="DIR", help="output folder (default: public)")
    parser.add_argument("--base-url", metavar="URL",
                        help="the published address (https://host/path/); overrides [site] base_url")
    parser.add_argument("--commit-url", metavar="PATTERN",
                        help="a commit's page, {commit} standing for its hash; overrides [site] commit_url")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="build cache folder (default: .cache beside the events file)")
    parser.add_argument("--no-cache", action="store_true", help="build without reading or writing the cache")
    parser.add_argument("--host", default="127.0.0.1", help="address for --serve (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (default: 8000)")
    return parser


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def report_hints(hints) -> None:
    """Old-style uses that still work, each with how to write it now: on stderr, not failing."""
    for hint in hints:
        print(hint, file=sys.stderr)


def report(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    count = len(problems)
    print(f"{_plural(count, 'problem')} found.", file=sys.stderr)


def _display_name(path: Path) -> str:
    """The events file as the user named it, relative when it is below the cwd."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _new_event_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py new-event",
        description="Print a commented [[events]] table to fill in, or append it to the events file.",
    )
    parser.add_argument("id", help="the new event's id (lowercase letters, digits, hyphens)")
    parser.add_argument("--date", default="2025-05", help='"YYYY", "YYYY-MM", "YYYY-MM-DD" or an offset date-time')
    parser.add_argument("--source", default="s000", help="id of the source to cite (default: s000)")
    parser.add_argument("--append", action="store_true", help="append to the events file instead of printing")
    parser.add_argument("--events", default="events.toml", metavar="PATH", help="events file (default: events.toml)")
    return parser


def new_event(argv: list[str]) -> int:
    from timeline.commands.new_event import new_event_text

    args = _new_event_parser().parse_args(argv)
    try:
        text = new_event_text(args.id, args.date, args.source)
    except ValueError as error:
        print(f"new-event: {error}", file=sys.stderr)
        return 2
    if not args.append:
        print(text, end="")
        return 0
    events = Path(args.events)
    existing = events.read_text(encoding="utf-8") if events.exists() else ""
    separator = "" if existing.endswith("\n\n") or not existing else ("\n" if existing.endswith("\n") else "\n\n")
    with events.open("a", encoding="utf-8") as handle:
        handle.write(separator + text)
    line = existing.count("\n") + separator.count("\n") + 1
    print(f"Appended event '{args.id}' to {_display_name(events)} at line {line}; "
          f"fill in its title, summary and quote, then run: python build.py --check")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["new-event"]:
        return new_event(argv[1:])
    args = _parser().parse_args(argv)
    events = Path(args.events)
    display = _display_name(events)
    if args.serve:
        from timeline.commands.serve import serve
        return serve(events, Path(args.out), args.host, args.port, display)
    if args.check:
        site, problems = check(events, display)
        if site is None:
            report(problems)
            return 1
        counts = ", ".join(_plural(n, word) for n, word in (
            (len(site.events), "event"), (len(site.sources), "source"), (site.citation_count(), "citation"),
            (sum(len(e.corrections) for e in site.events), "correction")) if n or word != "correction")
        report_hints(site.hints)
        print(f"{display}: OK: {counts}.")
        return 0
    if args.base_url and not is_http_url(args.base_url):
        print(f"--base-url {args.base_url!r} must be an http(s) URL", file=sys.stderr)
        return 2
    if args.commit_url and (problem := commit_url_problem(args.commit_url, "--commit-url")):
        print(problem, file=sys.stderr)
        return 2
    cache_dir = None if args.no_cache else Path(args.cache_dir) if args.cache_dir else default_cache_dir(events)
    if cache_dir is not None:
        count = unchanged(events, Path(args.out), args.base_url, cache_dir, args.commit_url)
        if count is not None:
            print(f"{args.out}/ is up to date: nothing {display} builds from has changed ({_plural(count, 'event')}).")
            return 0
    try:
        site, problems = build(events, Path(args.out), display, args.base_url, cache_dir, args.commit_url)
    except OSError as error:  # the output folder cannot be made or written, a full disk
        where = _display_name(Path(error.filename)) if error.filename else args.out
        site, problems = None, [Problem(where, None, f"cannot be written: {error.strerror or error}")]
    except KeyboardInterrupt:
        print(f"\nInterrupted; {args.out}/ is unchanged, or the next build finishes what this one began.",
              file=sys.stderr)
        return 130
    if site is None:
        report(problems)
        print(f"Nothing was built; {args.out}/ is unchanged.", file=sys.stderr)
        return 1
    report_hints(site.hints)
    print(f"Built {len(site.events)} events from {display} into {args.out}/.")
    return 0


def run() -> NoReturn:
    """The command's entry point."""
    sys.exit(main())
