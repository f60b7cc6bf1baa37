"""Golden bytes: the whole site, built from the shipped record and from a
300-event synthetic one, with and without the build cache, digested file
by file. A refactoring of the engine keeps these digests; a deliberate
change of the output updates them in a commit of its own that says why.

Each build runs the real command line in a fresh process, in a copy of the
record, so nothing of this test session's state can reach it.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EVENTS, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_record  # noqa: E402

BASE_URL = "https://example.org/timeline/"  # so that canonical links and the sitemap are made too
ENVIRONMENT = {"SOURCE_DATE_EPOCH": "1764547200"}  # 2025-12-01: the feed's and calendar's build time

GOLDEN = {
    "shipped": "91ff32b4ba24ca13623f0a0a2fc0877fbfec9d37fe40dcd93b6a874a567a8a31",
    "synthetic-300": "172d8f35b73d1342d6d92580d78e35a0237418416ee83616df09e416aa17f1d0",
}


def tree_digest(folder: Path) -> str:
    """One digest of every file's path and bytes under `folder`."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def build(events: Path, out: Path, *flags: str) -> None:
    env = {**os.environ, **ENVIRONMENT}
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "--events", str(events), "--out", str(out),
                          "--base-url", BASE_URL, *flags], capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr


def shipped_record(folder: Path) -> Path:
    shutil.copytree(ROOT / "site_src" / "sources", folder / "site_src" / "sources")
    shutil.copy(EVENTS, folder / "events.toml")
    return folder / "events.toml"


@pytest.mark.parametrize("record", sorted(GOLDEN))
def test_the_site_keeps_its_golden_bytes(tmp_path, record):
    events = shipped_record(tmp_path) if record == "shipped" else write_record(tmp_path, 300)
    build(events, tmp_path / "cold", "--no-cache")
    build(events, tmp_path / "cached")  # fills the cache
    shutil.rmtree(tmp_path / "cached")
    build(events, tmp_path / "cached")  # made again from the cache, with nothing published to keep
    assert tree_digest(tmp_path / "cold") == tree_digest(tmp_path / "cached") == GOLDEN[record]
    text = events.read_text(encoding="utf-8")
    head, events_start, rest = text.partition("[[events]]")
    edited = head + events_start + rest.replace('title = "', 'title = "Edited: ', 1)  # the first event's title
    assert edited != text
    events.write_text(edited, encoding="utf-8")
    build(events, tmp_path / "cached")  # an incremental update: one event and its neighbours
    assert tree_digest(tmp_path / "cached") != GOLDEN[record]
    events.write_text(text, encoding="utf-8")
    build(events, tmp_path / "cached")  # and back
    assert tree_digest(tmp_path / "cached") == GOLDEN[record]
