"""What git knows of the events file: its committed versions, read with
`git` processes (the only place the code runs them).

Only committed history counts, so a commit always builds the same bytes:
the log is read from HEAD, first parent only (the main line's own
versions, a merge diffed against the line it joined), and each commit is
dated by when it landed (the committer date; an author date can run
backwards after a rebase). Without usable history (no git, no repository,
a shallow or partial clone, the file not committed) the reason is given
instead, and the build goes on without.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_OPTIONS = ("--no-pager", "--no-replace-objects", "-c", "log.follow=false", "-c", "log.showSignature=false",
            "-c", "core.quotePath=false")
NO_FILE = ""  # the blob of a version where the file did not exist


@dataclass(frozen=True)
class Commit:
    """A first-parent commit that changed the events file."""
    hash: str  # full
    date: str  # committer date, ISO 8601 with its offset
    old: str  # the file's blob before it, or NO_FILE
    new: str  # after it, or NO_FILE


@dataclass(frozen=True)
class Repository:
    """The events file's place in git: its committed blob, or why there is no usable history."""
    folder: Path
    name: str  # of the events file, in `folder`
    head: str = ""  # HEAD's commit
    blob: str = ""  # the file's blob at HEAD
    unavailable: str = ""  # why the history cannot be read from this copy, or ""

    def state(self) -> str:
        """What a build's stamp must cover: another commit may change the history."""
        return f"{self.head} {self.blob} {self.unavailable}"


def _environment() -> dict[str, str]:
    """The repository found from the file's folder, not from a hook's
    GIT_DIR; messages in English, for telling the cases apart."""
    drop = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "LC_ALL": "C"}


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(folder), *_OPTIONS, *args], capture_output=True,
                          env=_environment(), stdin=subprocess.DEVNULL)


def locate(events_path: Path) -> Repository:
    """The events file's repository, with one `git rev-parse` when all is well."""
    folder, name = Path(os.path.abspath(events_path)).parent, events_path.name
    try:
        found = _git(folder, "rev-parse", "--is-shallow-repository", "HEAD", f"HEAD:./{name}")
    except OSError:
        return Repository(folder, name, unavailable="git is not installed")
    lines = found.stdout.decode("ascii", "replace").split()
    if found.returncode != 0 or len(lines) != 3:
        return Repository(folder, name, unavailable=_why_not(found, lines, name))
    if lines[0] == "true":
        return Repository(folder, name, unavailable="this is a shallow clone, which holds only the latest commits")
    partial = _git(folder, "config", "--get-regexp", r"^(remote\..*\.promisor|extensions\.partialclone)$")
    if partial.stdout.strip():
        return Repository(folder, name, unavailable="this is a partial clone, which does not hold the file's "
                                                    "earlier versions")
    return Repository(folder, name, head=lines[1], blob=lines[2])


def _why_not(found: subprocess.CompletedProcess, lines: list[str], name: str) -> str:
    message = found.stderr.decode("utf-8", "replace")
    if "not a git repository" in message:
        return "the events file is not in a git repository"
    if "dubious ownership" in message:
        return "git refuses to read the repository, which belongs to another user (see git's safe.directory)"
    if lines[:1] == ["true"]:
        return "this is a shallow clone, which holds only the latest commits"
    if lines[1:2] == ["HEAD"]:  # what rev-parse could not resolve, it prints back
        return "the repository has no commits yet"
    if len(lines) == 3:
        return f"{name} is not committed"
    first = message.strip().splitlines()[:1]
    return f"git could not read the repository ({first[0] if first else 'exit status ' + str(found.returncode)})"


def head_log(repository: Repository) -> Path | None:
    """The file git appends to whenever HEAD moves (a commit, an amend, a
    checkout): what the preview watches to follow commits. None without one."""
    if repository.unavailable:
        return None
    found = _git(repository.folder, "rev-parse", "--git-path", "logs/HEAD")
    path = repository.folder / found.stdout.decode("utf-8", "replace").strip()  # relative or absolute
    return path if found.returncode == 0 and path.is_file() else None


def log(repository: Repository) -> list[Commit]:
    """Every first-parent commit that changed the file, oldest first.

    A rename starts the file's history afresh, with every event added."""
    found = _git(repository.folder, "log", "--first-parent", "-m", "--raw", "--no-abbrev", "-z", "--no-renames",
                 "--format=%x01%H %cI", repository.head, "--", repository.name)
    if found.returncode != 0:
        raise OSError(found.stderr.decode("utf-8", "replace").strip())
    commits = []
    for entry in found.stdout.decode("utf-8", "replace").split("\x01")[1:]:
        header, raw = entry.split("\0")[:2]
        commit, date = header.split()
        old, new = raw.split()[2:4]  # ":100644 100644 OLD NEW M"
        commits.append(Commit(commit, date, old if old.strip("0") else NO_FILE, new if new.strip("0") else NO_FILE))
    return commits[::-1]


def blobs(repository: Repository, ids: list[str]) -> Iterator[bytes]:
    """The contents of `ids`, in order, from one `git cat-file --batch`.

    The ids are written from a thread: past the pipe's 64 KB, writing them
    all first would wait for a reader that is not reading yet."""
    process = subprocess.Popen(["git", "-C", str(repository.folder), *_OPTIONS, "cat-file", "--batch"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_environment())

    def ask() -> None:
        try:
            process.stdin.write("".join(f"{i}\n" for i in ids).encode("ascii"))
            process.stdin.close()
        except OSError:  # git stopped early: the reader says why
            pass

    writer = threading.Thread(target=ask, daemon=True)
    writer.start()
    try:
        for blob in ids:
            header = process.stdout.readline().split()
            if len(header) != 3:
                raise OSError(f"git cat-file could not read {blob}")
            yield process.stdout.read(int(header[2]))
            process.stdout.read(1)  # the newline after each object
    finally:
        process.stdout.close()
        writer.join()
        process.wait()


def committed_version(repository: Repository, events_path: Path) -> bytes | None:
    """HEAD's version of the file when the file differs from it; None when
    they are the same or there is no history. Hashing the file as git does
    takes 2.5 ms a megabyte, against 20 ms or more for `git diff --quiet`."""
    if repository.unavailable:
        return None
    try:
        raw = events_path.read_bytes()
    except OSError:
        return None
    algorithm = "sha1" if len(repository.blob) == 40 else "sha256"
    if hashlib.new(algorithm, b"blob %d\0" % len(raw) + raw).hexdigest() == repository.blob:
        return None
    return head_version(repository)


def head_version(repository: Repository) -> bytes | None:
    """The file as last committed; None without history."""
    if repository.unavailable:
        return None
    [raw] = blobs(repository, [repository.blob])
    return raw
