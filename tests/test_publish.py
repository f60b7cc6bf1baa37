"""publish() with two processes writes exactly what one process writes, and a
failure in either process leaves the previous output as it was."""
import hashlib
import os
import sys
from pathlib import Path

import pytest

from timeline import pipeline, write
from timeline.render import Job, Renderer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import write_record  # noqa: E402


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.blake2b(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    events = write_record(tmp_path_factory.mktemp("synthetic"), 300)
    site, problems = pipeline.check(events)
    assert site is not None, problems
    return site


def test_two_processes_write_what_one_writes(site, tmp_path):
    plan = Renderer(site).plan()
    assert len(plan) >= write.PARALLEL_MIN  # enough files that the work is shared
    one = write.publish(plan, tmp_path / "one", workers=1)
    makers = tmp_path / "makers.txt"
    plan = Renderer(site).plan()

    def noting_pid(job):
        def make():
            with makers.open("a") as log:
                log.write(f"{os.getpid()}\n")
            return job.make()
        return Job(job.path, make, lambda: job.key)

    two = write.publish({path: noting_pid(plan[path]) for path in plan}, tmp_path / "two", workers=2)
    assert len(set(makers.read_text().split())) == 2  # both processes made files
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert {k: (v[0], v[1], v[4]) for k, v in one.items()} == {k: (v[0], v[1], v[4]) for k, v in two.items()}


@pytest.mark.parametrize("failing", ["helper", "main"])
def test_a_failure_in_either_process_keeps_the_previous_output(site, tmp_path, failing):
    out = tmp_path / "public"
    write.publish(Renderer(site).plan(), out, workers=2)
    before = tree(out)
    plan = Renderer(site).plan()
    main = os.getpid()

    def failing_in(job):
        def make():
            if (os.getpid() == main) == (failing == "main"):
                raise RuntimeError(f"injected: {job.path} cannot be made")
            return job.make()
        return Job(job.path, make, lambda: job.key)

    with pytest.raises(RuntimeError, match="injected"):
        write.publish({path: failing_in(plan[path]) for path in plan}, out, workers=2)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_jobs_are_made_only_when_their_key_changed(site, tmp_path):
    out = tmp_path / "public"
    manifest = write.publish(Renderer(site).plan(), out, workers=2)
    made = []
    plan = Renderer(site).plan()
    counted = {}
    for path in plan:
        job = plan[path]
        counted[path] = Job(path, (lambda job=job, path=path: made.append(path) or job.make()), lambda job=job: job.key)
    counted["about/index.html"] = Job("about/index.html", lambda: made.append("about") or b"changed", lambda: "new key")
    write.publish(counted, out, manifest, workers=1)
    assert made == ["about"]
    assert (out / "about" / "index.html").read_bytes() == b"changed"
