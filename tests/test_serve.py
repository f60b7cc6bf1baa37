"""The preview server, tested as a contributor uses it: a real process on a
free port against a temporary copy of the project, real HTTP requests, and
the real browser for reloading and the error overlay."""
from __future__ import annotations

import contextlib
import http.client
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import shipped_title

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def get(port: int, path: str) -> tuple[int, dict, bytes]:
    """A request with the path sent exactly as given (no client normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


class Server:
    def __init__(self, project: Path, port: int):
        self.project = project
        self.port = port
        self.events = project / "events.toml"
        self.log = project / "server.log"
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "--serve", "--events", str(self.events), "--port", str(port)],
            cwd=project, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )
        wait_until(self._up, timeout=20)

    def _up(self):
        if self.process.poll() is not None:
            raise AssertionError(f"server exited: {self.log.read_text()}")
        try:
            return get(self.port, "/")[0] == 200
        except OSError:
            return False

    def edit(self, old: str, new: str) -> None:
        text = self.events.read_text(encoding="utf-8")
        assert old in text
        self.events.write_text(text.replace(old, new, 1), encoding="utf-8")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=10)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "events.toml", tmp_path / "events.toml")
    shutil.copytree(ROOT / "site_src" / "sources", tmp_path / "site_src" / "sources")
    return tmp_path


@pytest.fixture
def server(project: Path):
    srv = Server(project, free_port())
    yield srv
    if srv.process.poll() is None:
        srv.stop()


TITLE = shipped_title("istanbul-talks-2022")


def test_serves_pages_with_types_and_reload_client(server):
    status, headers, body = get(server.port, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert TITLE.encode() in body
    assert re.search(rb'<script src="/__livereload.js" data-generation="\d+" defer></script></body>', body)
    assert get(server.port, "/style.css")[1]["Content-Type"].startswith("text/css")
    assert get(server.port, "/favicon.svg")[1]["Content-Type"] == "image/svg+xml"
    assert get(server.port, "/sources/s001/001_a41350389d8f096f.txt")[1]["Content-Type"].startswith("text/plain")
    status, headers, _ = get(server.port, "/about")
    assert status == 301 and headers["Location"] == "/about/"
    status, _, body = get(server.port, "/no/such/page/")
    assert status == 404 and b"Page not found" in body


def test_edit_changes_served_page(server):
    server.edit(f'title = "{TITLE}"', f'title = "{TITLE} (edited)"')
    wait_until(lambda: f"{TITLE} (edited)".encode() in get(server.port, "/")[2])


@pytest.mark.parametrize("path", [
    "/../events.toml", "/%2e%2e/events.toml", "/%2E%2E/events.toml", "/..%2fevents.toml",
    "/%2e%2e%2fevents.toml", "/sources/../../events.toml", "/sources/%2e%2e/%2e%2e/events.toml",
    "/..\\events.toml", "/%5c..%5cevents.toml", "//etc/passwd", "/events.toml", "/%00",
])
def test_path_traversal_is_refused(server, path):
    status, _, body = get(server.port, path)
    assert status in (403, 404), (path, status)
    assert b"[[events]]" not in body and b"root:" not in body


def test_port_in_use_moves_to_next(project):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "--serve", "--events", str(project / "events.toml"),
             "--port", str(taken)],
            cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            lines = []
            for line in process.stdout:
                lines.append(line)
                if "Serving the preview" in line:
                    break
            output = "".join(lines)
            assert f"Port {taken} is in use" in output
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", output)
            assert match and int(match.group(1)) != taken
            assert get(int(match.group(1)), "/")[0] == 200
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0


def test_ctrl_c_stops_cleanly(server):
    assert server.stop() == 0
    assert "Stopped." in server.log.read_text()
    assert "Traceback" not in server.log.read_text()


def test_open_page_reloads_after_edit(server, page):
    page.goto(f"http://127.0.0.1:{server.port}/")
    page.wait_for_function("() => window.performance.getEntriesByType('resource').some(r => r.name.includes('__livereload'))")
    page.evaluate("window.__marker = 'before-reload'")
    server.edit(f'title = "{TITLE}"', 'title = "Reloaded by itself"')
    page.wait_for_function("() => document.body.textContent.includes('Reloaded by itself')", timeout=10000)
    assert page.evaluate("window.__marker") is None  # a real reload, not a DOM patch


def first_event(port: int, path: str) -> str:
    """The first Server-Sent Event the preview sends on `path`, as text."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: preview\r\n\r\n".encode())
        received = b""
        while b"\n\n" not in received.partition(b"\r\n\r\n")[2]:
            received += conn.recv(4096)
    return received.partition(b"\r\n\r\n")[2].decode().split("\n\n")[0]


def test_a_page_that_connects_after_a_rebuild_is_told_to_reload(server):
    """A save made between serving a page and its event stream connecting
    still reloads it: the page names the generation it was served from."""
    served = re.search(rb'data-generation="(\d+)"', get(server.port, "/")[2]).group(1).decode()
    assert first_event(server.port, f"/__livereload?generation={served}").startswith("event: hello")
    server.edit(f'title = "{TITLE}"', 'title = "Saved while connecting"')
    wait_until(lambda: b"Saved while connecting" in get(server.port, "/")[2])
    assert first_event(server.port, f"/__livereload?generation={served}").startswith("event: reload")
    assert first_event(server.port, "/__livereload").startswith("event: hello")


def test_syntax_error_shows_overlay_then_recovers(server, page):
    page.goto(f"http://127.0.0.1:{server.port}/")
    lines = server.events.read_text(encoding="utf-8").splitlines()
    line_no = next(i for i, l in enumerate(lines, 1) if l.startswith(f'title = "{TITLE}"'))
    server.edit(f'title = "{TITLE}"', f'title = "{TITLE}')  # unclosed string
    overlay = page.locator("#build-problems")
    overlay.wait_for(timeout=10000)
    assert f"events.toml:{line_no}: TOML syntax error" in overlay.inner_text()
    # The old content is still served while the file is broken.
    status, _, body = get(server.port, "/")
    assert status == 200 and TITLE.encode() in body
    server.edit(f'title = "{TITLE}', f'title = "{TITLE} (fixed)"')
    page.wait_for_function("() => document.body.textContent.includes('(fixed)')", timeout=10000)
    assert page.locator("#build-problems").count() == 0


def test_validation_error_shows_check_message(server, page):
    page.goto(f"http://127.0.0.1:{server.port}/events/istanbul-talks-2022/")
    server.edit('id = "istanbul-talks-2022"\n', 'id = "istanbul-talks-2022"\nsumary = "x"\n')
    overlay = page.locator("#build-problems")
    overlay.wait_for(timeout=10000)
    assert "event 'istanbul-talks-2022': unknown key 'sumary' in an event; did you mean 'summary'?" in overlay.inner_text()
    check = subprocess.run([sys.executable, str(ROOT / "build.py"), "--check", "--events", "events.toml"],
                           cwd=server.project, capture_output=True, text=True)
    assert check.stderr.splitlines()[0] in overlay.inner_text()


def test_burst_of_saves_gives_one_rebuild(server):
    before = server.log.read_text().count("Rebuilt in")
    for i in range(5):
        server.edit(f'title = "{TITLE}', f'title = "{TITLE}{i}')
        time.sleep(0.01)
    wait_until(lambda: f"{TITLE}43210".encode() in get(server.port, "/")[2])
    time.sleep(0.5)
    assert server.log.read_text().count("Rebuilt in") - before == 1


def test_save_by_moving_a_copy_into_place_is_seen(server):
    # As editors that save safely do: write a copy, then rename it over the file.
    text = server.events.read_text(encoding="utf-8").replace(f'title = "{TITLE}"', f'title = "{TITLE} (moved)"', 1)
    copy = server.project / ".events.toml.swp"
    copy.write_text(text, encoding="utf-8")
    copy.replace(server.events)
    wait_until(lambda: b"(moved)" in get(server.port, "/")[2])


def test_file_still_being_written_is_not_built(server):
    """A save written in two parts, the first not valid TOML on its own:
    the server waits for the writer and never shows the half as a problem."""
    before = server.log.read_text().count("Rebuilt in")
    text = server.events.read_text(encoding="utf-8").replace(f'title = "{TITLE}"', f'title = "{TITLE} (whole)"', 1)
    middle = text.index("(whole)")
    with server.events.open("w", encoding="utf-8") as file:
        file.write(text[:middle])  # ends inside a string
        file.flush()
        time.sleep(0.005)
        file.write(text[middle:])
    wait_until(lambda: b"(whole)" in get(server.port, "/")[2])
    time.sleep(0.5)
    log = server.log.read_text()
    assert "problem(s)" not in log
    assert log.count("Rebuilt in") - before == 1


def test_polling_when_the_system_cannot_report_changes(project, monkeypatch, capsys):
    """Where inotify fails (its limits reached), watchdog polls; polling
    reports no closed files, so each save waits out the quiet moment and
    still gives one rebuild."""
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    from timeline.commands import watch
    from timeline.commands.preview import Preview
    class NoInotify(Observer):
        def schedule(self, *args, **kwargs):
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watch, "Observer", NoInotify)
    events = project / "events.toml"
    preview = Preview(events, "events.toml")
    watching = watch.start_watching(preview)  # its first snapshot taken before it returns
    assert isinstance(watching[1], PollingObserver)
    assert preview.rebuild()
    watcher = threading.Thread(target=watch.watch, args=(preview, watching), daemon=True)
    watcher.start()
    try:
        text = events.read_text(encoding="utf-8")
        events.write_text(text.replace(f'title = "{TITLE}"', f'title = "{TITLE} (polled)"', 1), encoding="utf-8")
        wait_until(lambda: b"(polled)" in preview.make(preview.jobs["index.html"]))
        time.sleep(0.5)
    finally:
        preview.stop()
        watcher.join(timeout=5)
    assert not watcher.is_alive()
    assert capsys.readouterr().out.count("Rebuilt in") == 2  # the first build and the save's


def test_published_build_has_no_reload_client(tmp_path):
    out = tmp_path / "public"
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    for path in out.rglob("*"):
        if path.is_file():
            assert b"__livereload" not in path.read_bytes(), path


def test_data_files_are_served_and_follow_edits(server):
    status, headers, body = get(server.port, "/feed.xml")
    assert status == 200 and headers["Content-Type"] == "application/xml"
    assert TITLE.encode() in body
    server.edit(f'title = "{TITLE}"', 'title = "Renamed for the feed"')
    wait_until(lambda: b"Renamed for the feed" in get(server.port, "/")[2])
    assert b"Renamed for the feed" in get(server.port, "/feed.xml")[2]
    assert b"Renamed for the feed" in get(server.port, "/events.json")[2]


@contextlib.contextmanager
def preview_in(project: Path):
    """`python build.py --serve` run in a copy of the whole project (its own
    code and templates), until the block ends: (port, the server's log)."""
    port = free_port()
    log = project / "server.log"
    server = subprocess.Popen([sys.executable, "build.py", "--serve", "--port", str(port)], cwd=project,
                              stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: "Serving the preview" in log.read_text(), timeout=20)
        yield port, log
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)


def test_the_preview_serves_its_reload_script_as_it_is_now(whole_project):
    """livereload.js is watched like the templates; an edit to it is served without a restart."""
    with preview_in(whole_project) as (port, _):
        script = whole_project / "timeline" / "commands" / "livereload.js"
        assert get(port, "/__livereload.js")[2] == script.read_bytes()
        script.write_text(script.read_text(encoding="utf-8") + "/* edited */\n", encoding="utf-8")
        assert get(port, "/__livereload.js")[2].endswith(b"/* edited */\n")
