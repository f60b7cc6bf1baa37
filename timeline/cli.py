"""Argument parsing and terminal output; everything else lives in the pipeline."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import pipeline
from .model import Problem


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Validate events.toml and build the static timeline site.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="validate only; write nothing")
    mode.add_argument("--serve", action="store_true", help="build, serve and rebuild on every change")
    parser.add_argument("--events", default="events.toml", metavar="PATH", help="events file (default: events.toml)")
    parser.add_argument("--out", default="public", metavar="DIR", help="output folder (default: public)")
    parser.add_argument("--host", default="127.0.0.1", help="address for --serve (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port for --serve (default: 8000)")
    return parser


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    events = Path(args.events)
    display = _display_name(events)
    if args.serve:
        from .serve import serve
        return serve(events, Path(args.out), args.host, args.port, display)
    if args.check:
        site, problems = pipeline.check(events, display)
        if site is None:
            report(problems)
            return 1
        counts = ", ".join(_plural(n, word) for n, word in (
            (len(site.events), "event"), (len(site.sources), "source"), (site.citation_count(), "citation")))
        print(f"{display}: OK: {counts}.")
        return 0
    site, problems = pipeline.build(events, Path(args.out), display)
    if site is None:
        report(problems)
        print(f"Nothing was built; {args.out}/ is unchanged.", file=sys.stderr)
        return 1
    print(f"Built {len(site.events)} events from {display} into {args.out}/.")
    return 0
