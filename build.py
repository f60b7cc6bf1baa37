#!/usr/bin/env python3
"""Command line for the Istanbul Talks Timeline.

    python build.py            validate events.toml and build the site into public/
    python build.py --check    validate only; list every problem with file and line
    python build.py --serve    build, serve on http://127.0.0.1:8000/ and rebuild on save
    python build.py new-event ID [--date D] [--source S] [--append]
"""
from timeline.cli import run

if __name__ == "__main__":
    run()
