"""A data file made piece by piece, each event's piece copied from the
published file when it is there unchanged (see files.write_file)."""
from __future__ import annotations

import contextlib
import os
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

RUN_MAX = 1 << 22  # bytes of the published file read at once


class Layout(Protocol):
    """A data file as a piece per event (see render.outputs.Layout): `head`,
    the pieces with `separator` between them, then `tail`; `empty` when
    there are none. `keys[i]` stands for everything piece i shows."""
    head: bytes
    separator: bytes
    tail: bytes
    empty: bytes
    keys: list[str] | None

    def make(self, i: int) -> bytes: ...


def write_pieces(layout: Layout, published: Path, before, salt: str, emit: Callable[[bytes], None]) -> array:
    """Write a data file, copying from the published file at `published`
    each piece that `before`, its manifest entry, lists under the same salt
    and key; the start and length of each piece, in turn."""
    with _earlier_pieces(published, before, salt) as earlier:
        return _write_layout(layout, earlier, emit)


class _Earlier:
    """The published data file: the index of each key's piece in it, each
    piece's start and length in turn (`spans`), and its bytes."""

    def __init__(self, fd: int | None = None, keys: tuple = (), spans: array | None = None):
        self.fd, self.spans = fd, spans
        self.index = {key: i for i, key in enumerate(keys)}

    def read(self, start: int, length: int) -> bytes:
        return os.pread(self.fd, length, start)


@contextlib.contextmanager
def _earlier_pieces(path: Path, before, salt: str | None) -> Iterator[_Earlier]:
    """The published file's pieces, or none: none unless that file was written
    with `salt` and is still as written. Read run by run, so the file is
    never held whole."""
    if salt is None or before is None or not before[5] or before[5][0] != salt:
        yield _Earlier()
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield _Earlier()
        return
    try:
        stat = os.fstat(fd)  # the file opened, not whatever the path names by now
        if (stat.st_size, stat.st_mtime_ns, stat.st_ino) != tuple(before[1:4]):
            yield _Earlier()
            return
        _, old_keys, old_spans = before[5]
        yield _Earlier(fd, old_keys, old_spans)
    finally:
        os.close(fd)


def _write_layout(layout: Layout, earlier: _Earlier, emit: Callable[[bytes], None]) -> array:
    """Write a data file; the start and length of each event's piece, in turn.

    Pieces that lay side by side in the published file are copied as one
    run, with one read and one write, so an unchanged piece costs a few
    list operations rather than a read and a write of its own. Each run is
    checked once read (see _copy_run); where it is not as written, its
    pieces are made."""
    keys = layout.keys
    spans = array("q")
    if not keys:
        emit(layout.empty)
        return spans
    at = [earlier.index.get(key, -1) for key in keys] if earlier.index else [-1] * len(keys)
    offset = len(layout.head)
    emit(layout.head)
    i, count = 0, len(keys)
    while i < count:
        if i:
            emit(layout.separator)
            offset += len(layout.separator)
        if at[i] < 0:  # new or changed: made now
            j = i + 1
            offset = _make_pieces(layout, i, j, offset, spans, emit)
        else:
            j = _run_end(at, i, earlier.spans)
            copied = _copy_run(earlier, at[i], at[j - 1], layout.separator, offset, spans, emit)
            offset = copied if copied is not None else _make_pieces(layout, i, j, offset, spans, emit)
        i = j
    emit(layout.tail)
    return spans


def _run_end(at: list[int], i: int, old: array) -> int:
    """The end of the run that starts at piece i: the next pieces that
    follow it in the published file, up to RUN_MAX bytes in all."""
    start = old[2 * at[i]]
    j = i + 1
    while (j < len(at) and at[j] == at[j - 1] + 1
           and old[2 * at[j]] + old[2 * at[j] + 1] - start <= RUN_MAX):
        j += 1
    return j


def _copy_run(earlier: _Earlier, first: int, last: int, separator: bytes, offset: int, spans: array,
              emit: Callable[[bytes], None]) -> int | None:
    """Copy the published pieces `first` to `last` to `offset`, noting where
    each went; the offset after them. None, with nothing written, when the
    file is not as the manifest says: shorter, or other bytes than the
    separator between the pieces."""
    old = earlier.spans
    start = old[2 * first]
    length = old[2 * last] + old[2 * last + 1] - start
    data = earlier.read(start, length)
    view = memoryview(data)
    same = len(data) == length and all(
        view[old[2 * k] + old[2 * k + 1] - start:old[2 * k + 2] - start] == separator for k in range(first, last))
    if not same:
        return None
    emit(data)
    shift = offset - start
    for k in range(first, last + 1):
        spans.extend((old[2 * k] + shift, old[2 * k + 1]))
    return offset + length


def _make_pieces(layout: Layout, i: int, j: int, offset: int, spans: array, emit: Callable[[bytes], None]) -> int:
    """Make pieces i to j (not included), with the separator between them,
    at `offset`, noting where each went; the offset after them."""
    for n in range(i, j):
        if n > i:
            emit(layout.separator)
            offset += len(layout.separator)
        piece = layout.make(n)
        emit(piece)
        spans.extend((offset, len(piece)))
        offset += len(piece)
    return offset
