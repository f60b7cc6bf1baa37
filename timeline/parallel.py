"""Sharing work between this process and a forked one (on two cores).

The child inherits everything by fork, so only results cross between the
processes, pickled through a pipe. Used where it pays: making the files of
a site, comparing their keys with the last publish, converting Markdown,
and looking at the published folder while the build checks and plans.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
from array import array
from collections.abc import Callable
from typing import Self

MAX_BATCHES = 4096  # batch numbers in the queue, 4 bytes each: 16 KB, within any pipe's buffer


def shared(items: list, work: Callable[[list], list], workers: int, least: int, batch: int) -> list:
    """work(some items) for every `batch` items, in turn; the results joined.

    With two workers and at least `least` items, a forked process shares
    the work: both take the next batch from a queue until none are left,
    so neither waits on the other. The child inherits the items (and
    everything they were planned from) by fork, so nothing but the results
    crosses between the processes.
    """
    if workers < 2 or len(items) < least or not hasattr(os, "fork"):
        return [result for start in range(0, len(items), batch) for result in work(items[start:start + batch])]
    batch = max(batch, -(-len(items) // MAX_BATCHES))
    # The queue is a pipe filled with every batch's number before the fork:
    # a read of one number is atomic, so each batch goes to one process.
    # (multiprocessing's shared counter cost 20 ms of imports a build.)
    queue_read, queue_write = os.pipe()
    os.write(queue_write, array("I", range(-(-len(items) // batch))).tobytes())
    os.close(queue_write)

    def share() -> list:
        done: list = []
        while number := os.read(queue_read, 4):
            start = array("I", number)[0] * batch
            done += work(items[start:start + batch])
        return done

    helper = _Helper(share)
    try:
        mine = share()
    except BaseException:
        helper.close()  # its results are not wanted: the caller discards all of them
        raise
    finally:
        os.close(queue_read)
    return mine + helper.result()


class Ahead:
    """work() started in a forked process at once, its result taken later
    (`result()`), so that it runs while this process does something else.
    Where there is no fork, work() runs when its result is asked for.
    `close()` (or leaving a `with` block) ends a helper whose result is
    not wanted."""

    def __init__(self, work: Callable[[], object]):
        self._work = work
        self._helper = _Helper(work) if hasattr(os, "fork") else None

    def result(self):
        if self._helper is None:
            return self._work()
        return self._helper.result()

    def close(self) -> None:
        if self._helper is not None:
            self._helper.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_) -> None:
        self.close()


class _Helper:
    """A forked process computing work(); its result (or its exception) comes back pickled through a pipe."""

    def __init__(self, work: Callable[[], object]):
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never return into the caller's code
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
                pipe.write(payload)
            os._exit(0)
        os.close(write_end)
        self.pipe = os.fdopen(read_end, "rb")

    def result(self):
        """Wait for the helper; its result, or raise what it raised."""
        with self.pipe:
            payload = self.pipe.read()
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
