"""Sharing work between this process and a forked one (on two cores).

The child inherits everything by fork, so only results cross between the
processes, pickled through a pipe. Publishing uses it to make the files of
a site and to compare their keys with the last publish.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
from array import array
from collections.abc import Callable
from typing import Self

# Batch numbers in the queue, 4 bytes each: 4 KB, one page, which even a
# pipe made when the user's pipes are over the system's limit can hold.
MAX_BATCHES = 1024


def shared(items: list, work: Callable[[list], list], workers: int, least: int, batch: int) -> list:
    """work(some items) for every `batch` items, in turn; the results joined.

    With two workers and at least `least` items, a forked process shares
    the work: both take the next batch from a queue until none are left,
    so neither waits on the other. The child inherits the items (and
    everything they were planned from) by fork, so nothing but the results
    crosses between the processes. Where the queue or the process cannot
    be made, this process does all of the work.
    """
    with Sharing(items, work, workers, least, batch) as sharing:
        return sharing.finish()


class Sharing:
    """shared(), begun now and finished later: the forked process starts on
    the batches at once, while this one does something else; `finish()`
    takes the batches left here and joins the results. Leaving a `with`
    block without finishing ends the helper, whose results are not wanted."""

    def __init__(self, items: list, work: Callable[[list], list], workers: int, least: int, batch: int):
        self._items, self._work, self._batch = items, work, batch
        self._queue = self._helper = None
        if workers < 2 or len(items) < least or not hasattr(os, "fork"):
            return
        self._batch = max(batch, -(-len(items) // MAX_BATCHES))
        self._queue = _queue(-(-len(items) // self._batch))
        if self._queue is None:
            return
        try:
            self._helper = _Helper(self._share)
        except OSError:  # no process to share with: this one takes every batch
            pass

    def _share(self) -> list:
        done: list = []
        while number := os.read(self._queue, 4):
            start = array("I", number)[0] * self._batch
            done += self._work(self._items[start:start + self._batch])
        return done

    def finish(self) -> list:
        try:
            if self._queue is None:
                return _alone(self._items, self._work, self._batch)
            try:
                mine = self._share()
            finally:
                os.close(self._queue)
                self._queue = None
            if self._helper is None:
                return mine
            helper, self._helper = self._helper, None
            return mine + helper.result()
        finally:
            self._items = []  # not kept by a Sharing that lives on: they can be large

    def close(self) -> None:
        if self._helper is not None:
            self._helper.close()  # its results are not wanted: the caller discards all of them
            self._helper = None
        if self._queue is not None:
            os.close(self._queue)
            self._queue = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _alone(items: list, work: Callable[[list], list], batch: int) -> list:
    return [result for start in range(0, len(items), batch) for result in work(items[start:start + batch])]


def _queue(count: int) -> int | None:
    """The read end of a pipe holding the numbers 0 to count - 1, 4 bytes
    each (a read of one is atomic, so each goes to one reader); None where
    the pipe cannot hold them all. They are written before anyone reads,
    so a write that did not fit would wait forever: it is made not to wait.
    (multiprocessing's shared counter cost 20 ms of imports a build.)"""
    read_end, write_end = os.pipe()
    data = array("I", range(count)).tobytes()
    try:
        os.set_blocking(write_end, False)
        written = os.write(write_end, data)
    except BlockingIOError:
        written = 0
    finally:
        os.close(write_end)
    if written != len(data):
        os.close(read_end)
        return None
    return read_end


class _Helper:
    """A forked process computing work(); its result (or its exception) comes
    back pickled through a pipe. `result()` waits for it (once); `close()`
    ends it if it is still there."""

    def __init__(self, work: Callable[[], object]):
        read_end, write_end = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if self.pid == 0:  # the child: whatever happens, it never returns into the caller's code
            try:
                os.close(read_end)
                _die_with_parent()
                try:
                    outcome = ("done", work())
                except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
                    outcome = ("failed", error)
                try:
                    payload = pickle.dumps(outcome)
                except Exception:
                    payload = pickle.dumps(("failed", RuntimeError(repr(outcome[1]))))
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(payload)  # a parent that stopped listening: BrokenPipeError, then exit
            finally:
                os._exit(0)
        os.close(write_end)
        self.pipe = os.fdopen(read_end, "rb")

    def result(self):
        """Wait for the helper; its result, or raise what it raised."""
        try:
            with self.pipe:
                payload = self.pipe.read()
        except BaseException:  # e.g. Ctrl-C while waiting: the helper must not outlive this
            self.close()
            raise
        os.waitpid(self.pid, 0)
        self.pid = None
        status, value = pickle.loads(payload) if payload else ("failed", RuntimeError("the helper process died"))
        if status != "done":
            raise value
        return value

    def close(self) -> None:
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)  # gone before the caller cleans up after it
            self.pipe.close()
            self.pid = None


def _die_with_parent() -> None:
    """Linux: end this helper if the build is killed, so that it never
    writes into a folder the next build is cleaning up."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def cores() -> int:
    """Cores this process may use (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
