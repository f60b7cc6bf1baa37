"""Shared fixtures: the built site, a local server for it, and the browser.

The site is built once per test session from the shipped events.toml into a
temporary folder and served on 127.0.0.1 (a free port), both at the root and
under a sub-path (/repo/), the way project pages on GitHub Pages are served.
The browser tests drive Debian's Chromium; Playwright's own browser download
is not used.
"""
from __future__ import annotations

import contextlib
import functools
import html
import http.server
import io
import os
import shutil
import sys
import threading
import tomllib
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run: one that found a new
# case by chance would otherwise fail CI by chance.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.load_profile("repeatable")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from timeline.commands.build import build  # noqa: E402

EVENTS = ROOT / "events.toml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SUBPATH = "/repo/"


def pytest_configure(config):
    # pytest-playwright's own base_url fallback trips a pytest deprecation
    # warning that is not ours to fix; keep the summary about this project.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    )


# --- the browser ------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, pointed at Debian's Chromium."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is needed for the browser tests and was not found at {CHROMIUM}. "
            "Install it with: apt-get install -y chromium  (or run `make chromium`).",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


# --- the data and the built site ----------------------------------------------

@pytest.fixture
def errors(page):
    """Console errors and uncaught exceptions on `page`, collected as they happen."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console.{m.type}: {m.text} ({m.location.get('url', '')})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    return seen


@pytest.fixture(scope="session")
def events_data() -> dict:
    """events.toml as plain TOML tables, read independently of the loader."""
    with EVENTS.open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory) -> Path:
    """The shipped events.toml, built once into a temporary folder."""
    out = tmp_path_factory.mktemp("site") / "public"
    site, problems = build(EVENTS, out)
    assert site is not None, "events.toml does not build:\n" + "\n".join(map(str, problems))
    return out


@pytest.fixture
def whole_project(tmp_path) -> Path:
    """A copy of the whole project (code, templates, record) to break or edit
    freely; `python build.py` run in it uses its own code and templates."""
    for name in ("timeline", "templates", "site_src"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("build.py", "events.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


# --- serving it -----------------------------------------------------------------

class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` under `prefix`; anything else is a 404.

    Like static hosts, a missing file is answered with the site's own
    404.html (status 404), whatever its depth.
    """

    prefix = "/"

    def __init__(self, *args, directory: str, prefix: str, **kwargs):
        self.prefix = prefix
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return os.path.join(self.directory, "no such file: outside the prefix")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_head(self):
        path = self.translate_path(self.path)
        if not os.path.exists(path) and os.path.isfile(os.path.join(self.directory, "404.html")):
            body = Path(self.directory, "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()


def _serve(directory: Path, prefix: str):
    handler = functools.partial(_Handler, directory=str(directory), prefix=prefix)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=f"site-server{prefix}", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    return server, thread, f"http://{host}:{port}{prefix}"


@contextlib.contextmanager
def serving(directory: Path, prefix: str = "/"):
    """The folder served under `prefix` until the block ends: its base URL."""
    server, thread, url = _serve(directory, prefix)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site_url(site_dir):
    """Base URL (with trailing slash) of the built site served at the root."""
    with serving(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def subpath_url(site_dir):
    """The same folder served only under /repo/; requests outside it are 404."""
    with serving(site_dir, SUBPATH) as url:
        yield url


@pytest.fixture(scope="module")
def shipped():
    """The shipped record, checked (the model the outputs are made from)."""
    from timeline.commands.check import check
    site, problems = check(EVENTS, "events.toml")
    assert site is not None, problems
    return site


# Escapes for writing any text as a TOML basic string in generated test files.
_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def shipped_title(event_id: str) -> str:
    """An event's title in the shipped record, for tests that edit a copy of
    it as `title = "..."` (so it must need no escaping in TOML or HTML)."""
    events = tomllib.loads(EVENTS.read_text(encoding="utf-8"))["events"]
    title = next(e["title"] for e in events if e["id"] == event_id)
    assert html.escape(title) == title and "\\" not in title, "the tests find the title as written"
    return title


def toml_string(text: str) -> str:
    """`text` as a TOML basic string; controls as \\uXXXX escapes."""
    out = []
    for ch in text:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
