"""Sharing work between this process and a forked one (on two cores).

The child inherits everything by fork, so only results cross between the
processes, pickled through a pipe. Used where it pays: making the files of
a site, comparing their keys with the last publish, converting Markdown.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
from array import array
from collections.abc import Callable

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

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code
        os.close(read_end)
        _die_with_parent()
        try:
            result = ("done", share())
        except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
            result = ("failed", error)
        try:
            payload = pickle.dumps(result)
        except Exception:
            payload = pickle.dumps(("failed", RuntimeError(repr(result[1]))))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)
    try:
        mine = share()
    except BaseException:
        while os.read(queue_read, 1 << 16):  # empty the queue: the child stops after its batch
            pass
        raise
    finally:
        os.close(queue_read)
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(pid, 0)
    status, theirs = pickle.loads(payload) if payload else ("failed", RuntimeError("the helper process died"))
    if status != "done":
        raise theirs
    return mine + theirs


def _die_with_parent() -> None:
    """Linux: end this helper if the build is killed, so that it never
    writes into a folder the next build is cleaning up."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
