"""The preview's watcher: one rebuild, and so one reload, per burst of saves.

A rebuild is shown once the files have been quiet for a moment, and starts
as soon as a writer has finished, while that moment is waited out.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

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

from timeline.commands.preview import Prepared, Preview

POLL_SECONDS = 0.05  # only where the system cannot report changes
QUIET_SECONDS = 0.04  # a burst of saves closer together than this is one change

# Asked of the system itself, so that the rebuild's own reads (opening
# every source and template) do not wake the watcher's threads.
CHANGE_EVENTS = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
                 DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
# A writer closing the file it wrote, or an editor moving its saved copy into place.
FINISHING_EVENTS = (FileClosedEvent, FileMovedEvent, DirMovedEvent)


def watch(preview: Preview, watching: tuple[Changes, object] | None = None) -> None:
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
    watching = watching or start_watching(preview)
    changes, observer = watching
    try:
        while not preview.stopping:
            if changes.changed.wait(timeout=0.5):
                preview.announce(rebuild_after_burst(preview, changes))
    finally:
        observer.stop()


def start_watching(preview: Preview) -> tuple[Changes, object]:
    """The watched paths' changes, recorded from the moment this returns
    (the observer sets its watches up before it starts): the preview starts
    watching before its first build and before it answers any request, so
    no save is missed."""
    changes = Changes(preview.watched_paths())
    return changes, start_observer(changes, changes.folders, {os.path.dirname(f) for f in changes.files})


def rebuild_after_burst(preview: Preview, changes: Changes) -> Prepared:
    """The rebuild of what the files hold once the burst of changes is over."""
    while True:
        changes.changed.clear()
        if changes.still_being_written():
            continue
        prepared = preview.prepare()
        if changes.stayed_quiet():
            return prepared
        # The burst went on: what the rebuild read may be out of date.


class Changes(FileSystemEventHandler):
    """The observer's news of the watched paths: whether they changed, when
    last, and whether the last change was a writer finishing."""

    def __init__(self, paths: list[Path]):
        self.files = {os.path.abspath(p) for p in paths if not p.is_dir()}
        self.folders = [os.path.abspath(p) for p in paths if p.is_dir()]
        self.changed = threading.Event()
        self.finished = threading.Event()  # the last change was a writer finishing, not one still writing
        self.last = 0.0  # time.monotonic() of the last change

    def concerns(self, path: str) -> bool:
        path = os.path.abspath(path)
        return path in self.files or any(path == f or path.startswith(f + os.sep) for f in self.folders)

    def on_any_event(self, event):  # only the kinds in CHANGE_EVENTS arrive
        destination = os.fsdecode(getattr(event, "dest_path", "") or "")
        if self.concerns(os.fsdecode(event.src_path)) or self.concerns(destination):
            self.last = time.monotonic()
            if isinstance(event, FINISHING_EVENTS):
                self.finished.set()
            else:
                self.finished.clear()
            self.changed.set()

    def still_being_written(self) -> bool:
        """Unless the writer has finished, wait out a quiet moment: True if
        another change came within it."""
        return not self.finished.is_set() and self.changed.wait(QUIET_SECONDS)

    def stayed_quiet(self) -> bool:
        """Wait until a quiet moment has passed since the last change: True
        if no other change came."""
        quiet_left = QUIET_SECONDS - (time.monotonic() - self.last)
        return not self.changed.is_set() and not (quiet_left > 0 and self.changed.wait(quiet_left))


def start_observer(handler: FileSystemEventHandler, recursive: list[str], flat: set[str]):
    """The system's observer watching the folders, or a polling one where the system cannot."""
    for kind in (Observer, lambda: PollingObserver(timeout=POLL_SECONDS)):
        observer = kind()
        try:
            for folder in recursive:
                observer.schedule(handler, folder, recursive=True, event_filter=CHANGE_EVENTS)
            for folder in flat - set(recursive):
                observer.schedule(handler, folder, recursive=False, event_filter=CHANGE_EVENTS)
            observer.start()
            return observer
        except OSError:  # e.g. the system's inotify limits are reached
            continue
    raise OSError("cannot watch the files for changes")
