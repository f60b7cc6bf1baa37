"""`python build.py --serve`: the build pipeline on every save, served from memory.

- What a rebuild produces lives in a Preview (commands.preview), and the
  watcher (commands.watch) rebuilds it once per burst of saves.
- Only files of the planned site are served, each made when first asked for.
- Open pages reload themselves through Server-Sent Events; the small client
  script is added to HTML responses here, so `public/` never contains it.
- A failed rebuild keeps the last good pages served and shows its problems
  as an overlay in every open page; a failed first build shows them as
  the page itself.
"""
from __future__ import annotations

import gc
import json
import mimetypes
import posixpath
import sys
import threading
from functools import partial
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from timeline.commands.preview import Preview
from timeline.commands.watch import start_watching, watch
from timeline.site.jobs import Plan

CLIENT_PATH = "/__livereload.js"
EVENTS_PATH = "/__livereload"
CLIENT_FILE = Path(__file__).parent / "livereload.js"  # read for each request: it is watched like the rest
PORT_ATTEMPTS = 10

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".svg": "image/svg+xml", ".json": "application/json", ".xml": "application/xml"}
HTML_TYPE = CONTENT_TYPES[".html"]
TEXT_TYPE = CONTENT_TYPES[".txt"]


def serve(events: Path, out: Path, host: str, port: int, display: str) -> int:
    """Run the preview until Ctrl-C. `out` is unused: the preview is served from memory."""
    preview = Preview(events, display)
    watching = start_watching(preview)  # a save during the first build is rebuilt after it
    preview.rebuild()
    # What the first build made lives as long as the server: keep the cyclic
    # garbage collector from scanning it again on every rebuild.
    gc.freeze()
    try:
        server = open_server(host, port, partial(PreviewHandler, preview))
    except OSError as error:
        print(f"Cannot listen on {host}:{port}-{port + PORT_ATTEMPTS - 1}: {error.strerror or error}. "
              f"Choose another with --port.", file=sys.stderr)
        return 1
    actual = server.server_address[1]
    reach = "this machine only" if host in ("127.0.0.1", "localhost", "::1") else f"the network ({host})"
    print(f"Serving the preview at http://{host}:{actual}/ (reachable from {reach}); "
          f"rebuilding on every save. Press Ctrl-C to stop.", flush=True)
    watcher = threading.Thread(target=watch, args=(preview, watching), daemon=True)
    watcher.start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        preview.stop()
        server.server_close()
    return 0


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


class PreviewHandler(BaseHTTPRequestHandler):
    """One request to the preview: a file of the site, the reload client, or its event stream."""
    server_version = "TimelinePreview"
    protocol_version = "HTTP/1.1"

    def __init__(self, preview: Preview, *args, **kwargs):
        self.preview = preview  # set first: the base class answers the request while it is made
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # the terminal shows rebuilds, not requests
        pass

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):
        path = urlsplit(self.path).path
        if path == EVENTS_PATH:
            self.stream()
        elif path == CLIENT_PATH:
            self.send(HTTPStatus.OK, CLIENT_FILE.read_bytes(), CONTENT_TYPES[".js"], head)
        else:
            self.send_site_file(head)

    def send_site_file(self, head: bool):
        """The asked-for file of the last good site, or why it cannot be had."""
        with self.preview.changed:
            jobs, generation = self.preview.jobs, self.preview.generation
        if jobs is None:  # the first build failed: show its problems
            return self.send_problems(HTTPStatus.SERVICE_UNAVAILABLE, head)
        try:
            key, redirect = resolve(jobs, self.path)
        except PermissionError:
            return self.send(HTTPStatus.FORBIDDEN, b"Forbidden\n", TEXT_TYPE, head)
        except Exception as error:  # planning this part of the site failed
            self.preview.failed(error)
            return self.send_problems(HTTPStatus.INTERNAL_SERVER_ERROR, head)
        if redirect:
            return self.send_redirect(redirect)
        if key is None:
            return self.send_not_found(jobs, generation, head)
        self.send_page(jobs, generation, key, head)

    def send_page(self, jobs: Plan, generation: int, key: str, head: bool):
        body = self.preview.make(jobs[key])
        if body is None:
            return self.send_problems(HTTPStatus.INTERNAL_SERVER_ERROR, head)
        suffix = posixpath.splitext(key)[1]
        kind = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
        if suffix == ".html":
            body = with_reload_client(body, generation)
        self.send(HTTPStatus.OK, body, kind, head)

    def send_not_found(self, jobs: Plan, generation: int, head: bool):
        body = self.preview.make(jobs["404.html"]) if "404.html" in jobs else b"Not found\n"
        self.send(HTTPStatus.NOT_FOUND, with_reload_client(body or b"Not found\n", generation), HTML_TYPE, head)

    def send_problems(self, status: HTTPStatus, head: bool):
        with self.preview.changed:
            problems, generation = self.preview.problems, self.preview.generation
        self.send(status, with_reload_client(problem_page(problems), generation), HTML_TYPE, head)

    def send_redirect(self, location: str):
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send(self, status, body: bytes, kind: str, head: bool = False):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def stream(self):
        """Server-Sent Events: a greeting now (see `greeting`), then 'problems'
        or 'reload' on every rebuild."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        seen = served_generation(self.path)
        try:
            with self.preview.changed:
                message, seen = greeting(self.preview, seen), self.preview.generation
            while True:
                if message is None:
                    return
                self.wfile.write(message)
                self.wfile.flush()
                message, seen = next_event(self.preview, seen)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


def served_generation(raw_path: str) -> int:
    """The generation of the site a page was served from, as its reload
    client reports it (-1 when it does not)."""
    values = parse_qs(urlsplit(raw_path).query).get("generation", [""])
    return int(values[0]) if values[0].isdigit() else -1


def greeting(preview: Preview, served: int) -> bytes:
    """The first message to a page served from generation `served` (-1:
    unknown): the problems if there are any; 'reload' if the site was
    rebuilt since, so a save made while the page was connecting is never
    missed; else 'hello'. Call with `preview.changed` held."""
    if preview.problems or 0 <= served != preview.generation:
        return event_message(preview, first=False)
    return event_message(preview, first=True)


def next_event(preview: Preview, seen: int) -> tuple[bytes | None, int]:
    """The next message for a page that has seen generation `seen`, and the
    generation it has then seen; None once the server stops. A keep-alive
    goes out when ten seconds pass without a rebuild."""
    with preview.changed:
        if seen == preview.generation and not preview.stopping:
            preview.changed.wait(timeout=10)
        if preview.stopping:
            return None, seen
        if seen == preview.generation:
            return b": keep-alive\n\n", seen
        return event_message(preview, first=False), preview.generation


def event_message(preview: Preview, first: bool) -> bytes:
    if preview.problems:
        data = json.dumps({"problems": preview.problems, "generation": preview.generation})
        return f"event: problems\ndata: {data}\n\n".encode()
    kind = "hello" if first else "reload"
    return f"event: {kind}\ndata: {preview.generation}\n\n".encode()


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


def with_reload_client(page: bytes, generation: int) -> bytes:
    """The page with the reload client, which tells the event stream the
    generation of the site the page was served from."""
    tag = f'<script src="{CLIENT_PATH}" data-generation="{generation}" defer></script>'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


def problem_page(problems: list[str]) -> bytes:
    items = "".join(f"<li><code>{escape(p)}</code></li>" for p in problems)
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head>"
            f"<body><main><h1>The site could not be built</h1><ul>{items}</ul>"
            f"<p>Fix the file and save: this page reloads by itself.</p></main></body></html>").encode()
