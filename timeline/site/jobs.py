"""The site as a table of files not yet made: path → Job, planned part by part."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping

from timeline.render.outputs import OUTPUT_FILES
from timeline.site import urls
from timeline.site.fragments import Generations


class Job:
    """One file of the site, not yet made.

    `key` is a digest of everything the file's bytes depend on: equal keys,
    equal bytes. It is computed when first asked for, since the preview
    needs it only for the pages someone opens. `store`, in the preview,
    keeps made bytes by key across rebuilds. A data file is made as an
    outputs.Layout with a key per event; `salt` then stands for everything
    else its bytes depend on, so that an event's piece is the same bytes
    wherever its key and the salt are the same (see timeline.publish.publish).

    Nothing a job refers to refers back to it, so a replaced plan is freed
    at once instead of waiting for the cyclic garbage collector (which
    took up to 200 ms of a preview rebuild at 4,000 events).
    """

    __slots__ = ("path", "_make", "_key_of", "_key", "_store", "salt")

    def __init__(self, path: str, make: Callable[[], bytes | Iterable[bytes]] | None = None,
                 key_of: Callable[[], str] | None = None, store: "Generations | None" = None, salt: str | None = None):
        self.path = path
        self.salt = salt
        self._make = make
        self._key_of = key_of
        self._key: str | None = None
        self._store = store

    def render(self) -> bytes | Iterable[bytes]:
        return self._make()

    def compute_key(self) -> str:
        return self._key_of()

    @property
    def key(self) -> str:
        if self._key is None:
            self._key = self.compute_key()
        return self._key

    def make(self) -> bytes:
        if self._store is None:
            return _joined(self.render())
        data = self._store.get(self.key)
        if data is None:
            data = _joined(self.render())
            self._store.put(self.key, data)
        return data

    def chunks(self) -> Iterable[bytes]:
        """The bytes in the pieces they are made in (a data file comes as a
        Layout, an event at a time), for writing without holding the whole file."""
        made = self.render() if self._store is None else self.make()
        return (made,) if isinstance(made, bytes) else made

    def __repr__(self) -> str:
        return f"Job({self.path!r})"


def _joined(chunks: bytes | Iterable[bytes]) -> bytes:
    return chunks if isinstance(chunks, bytes) else b"".join(chunks)


class Plan(Mapping):
    """Every file of one site: path → Job, planned one part at a time.

    A build asks for every file, so every part gets planned. The preview
    asks for one page at a time, so a save costs only the check and the
    parts someone opens (each part is planned once per rebuild).
    Planners are handed the plan rather than holding it, so the plan and
    its jobs are freed as soon as a newer one replaces them.
    """

    def __init__(self, planners: dict[str, Callable[["Plan"], dict[str, Job]]]):
        self._planners = planners
        self._planned: dict[str, dict[str, Job]] = {}
        self._all: dict[str, Job] | None = None
        self._lock = threading.RLock()  # the preview's request threads share a plan

    def part(self, name: str) -> dict[str, Job]:
        with self._lock:
            jobs = self._planned.get(name)
            if jobs is None:
                jobs = self._planned[name] = self._planners[name](self)
            return jobs

    def everything(self) -> dict[str, Job]:
        with self._lock:
            if self._all is None:
                merged: dict[str, Job] = {}
                for name in self._planners:
                    merged.update(self.part(name))
                self._all = dict(sorted(merged.items()))
            return self._all

    def html_paths(self) -> list[str]:
        paths = []
        for name in self._planners:
            if name != "outputs":
                paths.extend(path for path in self.part(name) if path.endswith(".html"))
        return sorted(paths)

    def __getitem__(self, path: str) -> Job:
        return self.part(part_of(path))[path]

    def __contains__(self, path) -> bool:
        return isinstance(path, str) and path in self.part(part_of(path))

    def __iter__(self):
        return iter(self.everything())

    def __len__(self) -> int:
        return len(self.everything())


def part_of(path: str) -> str:
    """Which part of the plan a path of the site belongs to."""
    folder = path.split("/", 1)[0] if "/" in path else ""
    if path == urls.file_of(urls.HOME) or f"{folder}/" == urls.YEARS:
        return "timeline"
    if folder in ("events", "corrections", "sources", "actors", "tags"):
        return folder
    if path in OUTPUT_FILES:
        return "outputs"
    return "other"
