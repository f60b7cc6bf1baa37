"""The cyclic garbage collector, kept out of the way of a build.

A build makes millions of objects that live to its end (the record, its
views, the cache it read) and little cyclic garbage; the collector, run
again and again over them, finds nothing.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; what it froze is unfrozen after.

    Forked helpers inherit the pause, so they do not write to (and copy)
    the memory they share with the build either."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
