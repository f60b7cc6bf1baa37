"""The preview server: the build pipeline on every save, served from memory.

- A rebuild checks the record and plans the site; each page is made when
  first asked for, and kept while what it shows is unchanged.
- One reload per burst of saves: a rebuild is shown once the files have
  been quiet for a moment, and starts as soon as a writer has finished,
  while that moment is waited out.
- Open pages reload themselves through Server-Sent Events; the small client
  script is added to HTML responses here, so `public/` never contains it.
- A failed rebuild keeps the last good pages served and shows its problems
  (the same lines as `--check`) as an overlay in every open page.
"""
from __future__ import annotations

import gc
import json
import mimetypes
import os
import posixpath
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from timeline.commands.check import check
from timeline.config import PROJECT, TEMPLATES
from timeline.errors import BuildError
from timeline.render.templates import compile_all, make_environment, template_problem
from timeline.site.fragments import FragmentCache
from timeline.site.jobs import Plan
from timeline.site.plan import plan_site
from timeline.speed.cache import BuildCache

CLIENT_PATH = "/__livereload.js"
EVENTS_PATH = "/__livereload"
CLIENT_JS = (Path(__file__).parent / "livereload.js").read_bytes()
POLL_SECONDS = 0.05  # only where the system cannot report changes
QUIET_SECONDS = 0.04  # a burst of saves closer together than this is one change
PORT_ATTEMPTS = 10

_TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".svg": "image/svg+xml", ".json": "application/json", ".xml": "application/xml"}


class Prepared(NamedTuple):
    """A rebuild not yet shown (see Preview.prepare)."""
    jobs: Plan | None  # the site planned, or None when it has problems
    problems: list[str]
    milliseconds: float


class Preview:
    """The last good site, the current problems, and who is waiting for news.

    A rebuild checks the record and plans the site; it does not make the
    pages. Each page is made when it is first asked for and kept for as
    long as what it shows is unchanged, so a save costs about the same with
    ten events as with thousands, and the reload signal goes out as soon as
    the record is known to be good.
    """

    def __init__(self, events: Path, display: str):
        self.events = events
        self.display = display
        self.env = make_environment()
        self.cache = BuildCache(fragments=FragmentCache(keep_pages=True))
        self.jobs: Plan | None = None  # the last good site, planned
        self.problems: list[str] = []
        self.generation = 0  # bumped after every rebuild, good or bad
        self.changed = threading.Condition()
        self.stopping = False

    def watched_paths(self) -> list[Path]:
        roots = [self.events, TEMPLATES, PROJECT / "site_src", Path(__file__).parent / "livereload.js"]
        events_dir = self.events.resolve().parent
        if events_dir != PROJECT:
            roots.append(events_dir / "site_src")
        return roots

    def rebuild(self) -> bool:
        return self.announce(self.prepare())

    def prepare(self) -> Prepared:
        """Check and plan the site, showing nothing yet: the watcher may drop it unseen."""
        started = time.perf_counter()
        try:
            site, problems = check(self.events, self.display, self.cache)
            jobs = None
            if site is not None:
                compile_all(self.env)  # a template's syntax error shows now, not on a later request
                jobs = plan_site(site, self.env, self.cache.fragments, self.cache.markdown)
            lines = [str(p) for p in problems]
        except Exception as error:  # a template mistake must not stop the server
            jobs, lines = None, _describe(error)
        return Prepared(jobs, lines, (time.perf_counter() - started) * 1000)

    def announce(self, prepared: Prepared) -> bool:
        """Serve a prepared site, or show its problems, and tell the open pages."""
        jobs, lines, elapsed = prepared
        with self.changed:
            if jobs is not None:
                self.jobs, self.problems = jobs, []
            else:
                self.problems = lines
            self.generation += 1
            self.changed.notify_all()
        if jobs is not None:
            print(f"Rebuilt in {elapsed:.0f} ms.", flush=True)
        else:
            self._report(lines)
        return jobs is not None

    def make(self, job) -> bytes | None:
        """The bytes of one planned file, or None after reporting why it
        cannot be made (a template's mistake shows in every open page)."""
        try:
            return job.make()
        except Exception as error:
            self.failed(error)
            return None

    def failed(self, error: Exception) -> None:
        """Show a problem met while serving (planning or making a page) like a build's."""
        lines = _describe(error)
        with self.changed:
            if self.problems != lines:
                self.problems = lines
                self.generation += 1
                self.changed.notify_all()
        self._report(lines)

    @staticmethod
    def _report(lines: list[str]) -> None:
        for line in lines:
            print(line, file=sys.stderr)
        print(f"{len(lines)} problem(s); still serving the last good build.", file=sys.stderr, flush=True)

    def stop(self):
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


def _describe(error: Exception) -> list[str]:
    """An error met while planning or making a page, in the words a build uses."""
    if isinstance(error, BuildError):
        return [str(problem) for problem in error.problems]
    problem = template_problem(error)
    return [str(problem)] if problem else [f"{type(error).__name__}: {error}"]


def watch(preview: Preview) -> None:
    """Rebuild once the watched files have been quiet for a moment after a change.

    The operating system reports changes (inotify on Linux, through
    watchdog), so a save is seen at once instead of at the next poll;
    where it cannot, watchdog polls.

    Once a writer is done with a file (it closed it, or moved it into
    place), the rebuild starts while the quiet moment is waited out, and
    is shown only if the moment stayed quiet; if not, it is dropped and the
    burst's rebuild starts again. So a save waits for its rebuild alone,
    not for the quiet moment and then the rebuild, and a burst of saves is
    still one reload.
    """
    changed = threading.Event()
    finished = threading.Event()  # the last change was a writer finishing, not one still writing
    files = {os.path.abspath(p) for p in preview.watched_paths() if not p.is_dir()}
    folders = [os.path.abspath(p) for p in preview.watched_paths() if p.is_dir()]

    def concerns(path: str) -> bool:
        path = os.path.abspath(path)
        return path in files or any(path == f or path.startswith(f + os.sep) for f in folders)

    class Handler(FileSystemEventHandler):
        last = 0.0  # time.monotonic() of the last change

        def on_any_event(self, event):  # only the kinds in _CHANGE_EVENTS arrive
            if concerns(os.fsdecode(event.src_path)) or concerns(os.fsdecode(getattr(event, "dest_path", "") or "")):
                self.last = time.monotonic()
                if isinstance(event, _FINISHING_EVENTS):
                    finished.set()
                else:
                    finished.clear()
                changed.set()

    handler = Handler()
    observer = _start_observer(handler, folders, {os.path.dirname(f) for f in files})
    try:
        while not preview.stopping:
            if not changed.wait(timeout=0.5):
                continue
            while True:
                changed.clear()
                if not finished.is_set() and changed.wait(QUIET_SECONDS):
                    continue  # still being written
                prepared = preview.prepare()
                quiet_left = QUIET_SECONDS - (time.monotonic() - handler.last)
                if not changed.is_set() and not (quiet_left > 0 and changed.wait(quiet_left)):
                    break
                # The burst went on: what the rebuild read may be out of date.
            preview.announce(prepared)
    finally:
        observer.stop()


# Asked of the system itself, so that the rebuild's own reads (opening
# every source and template) do not wake the watcher's threads.
_CHANGE_EVENTS = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
                  DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
# A writer closing the file it wrote, or an editor moving its saved copy into place.
_FINISHING_EVENTS = (FileClosedEvent, FileMovedEvent, DirMovedEvent)


def _start_observer(handler, recursive: list[str], flat: set[str]):
    for kind in (Observer, lambda: PollingObserver(timeout=POLL_SECONDS)):
        observer = kind()
        try:
            for folder in recursive:
                observer.schedule(handler, folder, recursive=True, event_filter=_CHANGE_EVENTS)
            for folder in flat - set(recursive):
                observer.schedule(handler, folder, recursive=False, event_filter=_CHANGE_EVENTS)
            observer.start()
            return observer
        except OSError:  # e.g. the system's inotify limits are reached
            continue
    raise OSError("cannot watch the files for changes")


def resolve(files, raw_path: str) -> tuple[str | None, str | None]:
    """Map a request path to a file key; (None, redirect) or (None, None) if absent.

    Only keys of the in-memory site can ever be served, so no request can
    reach the file system; '..' in any form is refused outright anyway.
    """
    path = unquote(urlsplit(raw_path).path)
    if "\x00" in path or "\\" in path or ".." in path.split("/"):
        raise PermissionError(path)
    normal = posixpath.normpath(path) if path not in ("", "/") else "/"
    key = normal.lstrip("/")
    if path.endswith("/") or key == "":
        key = posixpath.join(key, "index.html") if key else "index.html"
    if key in files:
        return key, None
    if posixpath.join(key, "index.html") in files:
        return None, path + "/"
    return None, None


def make_handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        server_version = "TimelinePreview"
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # the terminal shows rebuilds, not requests
            pass

        def do_HEAD(self):
            self.do_GET(head=True)

        def do_GET(self, head: bool = False):
            path = urlsplit(self.path).path
            if path == EVENTS_PATH:
                return self.stream()
            if path == CLIENT_PATH:
                return self.send(HTTPStatus.OK, CLIENT_JS, "text/javascript; charset=utf-8", head)
            with preview.changed:
                jobs = preview.jobs
            if jobs is None:  # the first build failed: show its problems
                return self.send(HTTPStatus.SERVICE_UNAVAILABLE, _inject(_problem_page(preview)), _TYPES[".html"], head)
            try:
                key, redirect = resolve(jobs, self.path)
            except PermissionError:
                return self.send(HTTPStatus.FORBIDDEN, b"Forbidden\n", "text/plain; charset=utf-8", head)
            except Exception as error:  # planning this part of the site failed
                preview.failed(error)
                return self.send(HTTPStatus.INTERNAL_SERVER_ERROR, _inject(_problem_page(preview)),
                                 _TYPES[".html"], head)
            if redirect:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if key is None:
                body = preview.make(jobs["404.html"]) if "404.html" in jobs else b"Not found\n"
                return self.send(HTTPStatus.NOT_FOUND, _inject(body or b"Not found\n"), _TYPES[".html"], head)
            body = preview.make(jobs[key])
            if body is None:
                return self.send(HTTPStatus.INTERNAL_SERVER_ERROR, _inject(_problem_page(preview)),
                                 _TYPES[".html"], head)
            suffix = posixpath.splitext(key)[1]
            kind = _TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
            if suffix == ".html":
                body = _inject(body)
            self.send(HTTPStatus.OK, body, kind, head)

        def send(self, status, body: bytes, kind: str, head: bool = False):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def stream(self):
            """Server-Sent Events: 'problems' or 'ok' now, then on every rebuild."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            seen = -1
            try:
                while True:
                    with preview.changed:
                        if seen == preview.generation and not preview.stopping:
                            preview.changed.wait(timeout=10)
                        if preview.stopping:
                            return
                        if seen == preview.generation:
                            message = b": keep-alive\n\n"
                        else:
                            message = _event_message(preview, first=seen < 0)
                            seen = preview.generation
                    self.wfile.write(message)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

    return Handler


def _event_message(preview: Preview, first: bool) -> bytes:
    if preview.problems:
        data = json.dumps({"problems": preview.problems, "generation": preview.generation})
        return f"event: problems\ndata: {data}\n\n".encode()
    kind = "hello" if first else "reload"
    return f"event: {kind}\ndata: {preview.generation}\n\n".encode()


def _inject(html: bytes) -> bytes:
    tag = f'<script src="{CLIENT_PATH}" defer></script>'.encode()
    at = html.rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


def _problem_page(preview: Preview) -> bytes:
    from html import escape
    items = "".join(f"<li><code>{escape(p)}</code></li>" for p in preview.problems)
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head>"
            f"<body><main><h1>The site could not be built</h1><ul>{items}</ul>"
            f"<p>Fix the file and save: this page reloads by itself.</p></main></body></html>").encode()


def open_server(host: str, port: int, handler) -> ThreadingHTTPServer:
    """Listen on `port`, or the next free one; raise OSError if none is free."""
    last_error: OSError | None = None
    for candidate in range(port, port + PORT_ATTEMPTS):
        try:
            server = ThreadingHTTPServer((host, candidate), handler)
        except OSError as error:
            last_error = error
            if candidate == port:
                print(f"Port {port} is in use; trying the next one.", file=sys.stderr)
            continue
        server.daemon_threads = True
        return server
    raise last_error or OSError("no free port")


def serve(events: Path, out: Path, host: str, port: int, display: str) -> int:
    """Run the preview until Ctrl-C. `out` is unused: the preview is served from memory."""
    preview = Preview(events, display)
    preview.rebuild()
    # What the first build made lives as long as the server: keep the cyclic
    # garbage collector from scanning it on every rebuild (up to 200 ms at
    # 4,000 events).
    gc.freeze()
    try:
        server = open_server(host, port, make_handler(preview))
    except OSError as error:
        print(f"Cannot listen on {host}:{port}-{port + PORT_ATTEMPTS - 1}: {error.strerror or error}. "
              f"Choose another with --port.", file=sys.stderr)
        return 1
    actual = server.server_address[1]
    reach = "this machine only" if host in ("127.0.0.1", "localhost", "::1") else f"the network ({host})"
    print(f"Serving the preview at http://{host}:{actual}/ (reachable from {reach}); "
          f"rebuilding on every save. Press Ctrl-C to stop.", flush=True)
    watcher = threading.Thread(target=watch, args=(preview,), daemon=True)
    watcher.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        preview.stop()
        server.server_close()
    return 0
