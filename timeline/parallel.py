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
from collections.abc import Callable


def shared(items: list, work: Callable[[list], list], workers: int, least: int, batch: int) -> list:
    """work(some items) for every `batch` items, in turn; the results joined.

    With two workers and at least `least` items, a forked process shares
    the work: both take the next batch from a shared counter until none
    are left, so neither waits on the other. The child inherits the items
    (and everything they were planned from) by fork, so nothing but the
    results crosses between the processes.
    """
    counter = None
    if workers >= 2 and len(items) >= least and hasattr(os, "fork"):
        try:
            import multiprocessing

            counter = multiprocessing.get_context("fork").Value("q", 0)
        except (OSError, ValueError):  # no shared memory or fork here: one process will do
            counter = None
    if counter is None:
        return [result for start in range(0, len(items), batch) for result in work(items[start:start + batch])]

    def share() -> list:
        done: list = []
        while True:
            with counter.get_lock():
                start = counter.value
                counter.value = start + batch
            if start >= len(items):
                return done
            done += work(items[start:start + batch])

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
        with counter.get_lock():
            counter.value = len(items)  # tell the child to stop
        raise
    finally:
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
