"""The sweep engine: Dask execution, chunked Parquet output, resume after a kill, manifests, schedulers.

Grids are tested in test_sweep_grid.py, the directory (lock, checksums) in test_sweep_storage.py,
catalogue problems and persistent models in test_sweep_problem.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coopt.errors import InputError
from coopt.experiments.sweep import CHUNK_DIR, MANIFEST, RESULTS, run_sweep
from coopt.experiments.sweep.storage import checksum_path

REPO = Path(__file__).resolve().parents[2]


def poly(point: dict) -> dict:
    """A cheap point function with an answer we know: y = a^2 + 3 b."""
    return {"y": point["a"] ** 2 + 3 * point["b"], "pid": os.getpid()}


def expected(frame: pd.DataFrame) -> np.ndarray:
    return frame["a"].to_numpy() ** 2 + 3 * frame["b"].to_numpy()


GRID = {"a": np.arange(6), "b": np.linspace(0.0, 1.0, 5)}


def chunk_files(out: Path) -> list[Path]:
    return sorted((out / CHUNK_DIR).glob("chunk-*.parquet"))


# ----------------------------------------------------------------------------- running


def test_sweep_serial_writes_chunks_manifest_and_results(tmp_path):
    out = tmp_path / "s"
    frame = run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    assert list(frame["point_id"]) == list(range(30))
    assert list(frame.columns[:3]) == ["point_id", "a", "b"]
    np.testing.assert_allclose(frame["y"], expected(frame))
    assert len(chunk_files(out)) == 8  # ceil(30 / 4)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["n_points"] == 30 and manifest["parameters"] == ["a", "b"] and manifest["chunk_size"] == 4
    pd.testing.assert_frame_equal(pd.read_parquet(out / RESULTS), frame)


def test_sweep_on_two_dask_worker_processes(tmp_path):
    """The default path: a LocalCluster with 2 worker processes (points leave this process)."""
    out = tmp_path / "s"
    frame = run_sweep(poly, GRID, out, workers=2, chunk_size=3, progress=False)
    assert len(frame) == 30 and frame["point_id"].is_unique
    np.testing.assert_allclose(frame["y"], expected(frame))
    assert os.getpid() not in set(frame["pid"])  # computed on the workers
    assert len(chunk_files(out)) == 10


def test_sweep_on_threads_and_a_list_of_points(tmp_path):
    pts = [{"a": 2, "b": 0.5}, {"a": -1, "b": 2.0}, {"a": 0, "b": 0.0}]
    frame = run_sweep(poly, pts, tmp_path / "s", workers=2, processes=False, chunk_size=1, progress=False)
    assert list(frame["y"]) == [5.5, 7.0, 0.0]


class CountingFactory:
    """A factory whose setup() cost we count: the persistent-model pattern."""

    setups: list[int] = []

    def __init__(self, offset: float = 10.0) -> None:
        self.offset = offset

    def setup(self):
        CountingFactory.setups.append(1)
        state = {"calls": 0}  # stands for a model built once per worker

        def point(p: dict) -> dict:
            state["calls"] += 1
            return {"y": p["a"] + self.offset, "calls_on_this_model": state["calls"]}

        return point


def test_factory_setup_runs_once_per_worker_not_per_point_or_chunk(tmp_path):
    CountingFactory.setups.clear()
    frame = run_sweep(CountingFactory(), {"a": np.arange(40)}, tmp_path / "f", workers=2, processes=False,
                      chunk_size=4, progress=False)
    assert 1 <= len(CountingFactory.setups) <= 2  # two worker threads, ten chunks
    np.testing.assert_allclose(frame["y"], np.arange(40) + 10.0)
    assert frame["calls_on_this_model"].max() > 4  # the model outlived its chunk
    CountingFactory.setups.clear()
    run_sweep(CountingFactory, {"a": np.arange(9)}, tmp_path / "g", workers=0, chunk_size=2, progress=False)
    assert len(CountingFactory.setups) == 1  # a class is instantiated, then set up once


# ----------------------------------------------------------------------------- resume


def test_rerun_reads_finished_chunks_and_recomputes_nothing(tmp_path):
    out = tmp_path / "s"
    first = run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    stamps = {f.name: f.stat().st_mtime_ns for f in chunk_files(out)}

    def boom(point):
        raise AssertionError("a finished point was recomputed")

    again = run_sweep(boom, GRID, out, workers=0, progress=False)  # chunk size taken from the manifest
    pd.testing.assert_frame_equal(first, again)
    assert {f.name: f.stat().st_mtime_ns for f in chunk_files(out)} == stamps


def test_partial_and_corrupt_files_are_discarded_and_recomputed(tmp_path):
    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    files = chunk_files(out)
    files[2].write_bytes(files[2].read_bytes()[:40])  # a damaged chunk (not something we write)
    files[5].unlink()  # a chunk never written
    (out / CHUNK_DIR / ".chunk-000005.parquet.tmp-1-abcd").write_bytes(b"PAR1 half")  # a killed writer's temp
    seen = []

    def tracked(point):
        seen.append(point["a"] * 10 + point["b"])
        return poly(point)

    frame = run_sweep(tracked, GRID, out, workers=0, progress=False)
    assert len(seen) == 8  # only chunks 2 and 5 (4 points each) ran again
    assert list(frame["point_id"]) == list(range(30))
    np.testing.assert_allclose(frame["y"], expected(frame))
    assert not [f for f in (out / CHUNK_DIR).iterdir() if f.name.startswith(".")]


KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time, uuid
    from pathlib import Path
    import numpy as np
    from coopt.experiments.sweep import run_sweep

    calls = Path(sys.argv[2])

    def slow(point):
        (calls / f"{point['i']}-{uuid.uuid4().hex}").touch()  # one file per evaluation
        time.sleep(float(sys.argv[3]))
        return {"square": point["i"] ** 2}

    if __name__ == "__main__":
        frame = run_sweep(slow, {"i": np.arange(48)}, Path(sys.argv[1]), workers=2, processes=False,
                          chunk_size=4, progress=False)
        print(len(frame))
""")


def test_kill_midway_then_rerun_finishes_without_recomputing(tmp_path):
    """Kill -9 a sweep after some chunks are on disk; the rerun computes only the missing points."""
    script = tmp_path / "sweep_script.py"
    script.write_text(KILL_SCRIPT)
    out, calls = tmp_path / "out", tmp_path / "calls"
    calls.mkdir()
    proc = subprocess.Popen([sys.executable, str(script), str(out), str(calls), "0.1"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(chunk_files(out)) < 3 and proc.poll() is None:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    finished = chunk_files(out)
    assert 3 <= len(finished) < 12, "the sweep must be killed midway"
    assert all(checksum_path(f).exists() for f in finished)  # a chunk never exists without its checksum
    done_ids = set(pd.concat(pd.read_parquet(f) for f in finished)["point_id"])

    rerun = subprocess.run([sys.executable, str(script), str(out), str(calls), "0"], cwd=REPO,
                           capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]

    counts: dict[int, int] = {}
    for f in calls.iterdir():
        i = int(f.name.split("-")[0])
        counts[i] = counts.get(i, 0) + 1
    assert all(counts[i] == 1 for i in done_ids)  # finished points were not recomputed
    assert set(counts) == set(range(48))
    frame = pd.read_parquet(out / RESULTS)
    assert list(frame["point_id"]) == list(range(48))  # no duplicate, no missing row
    assert (frame["square"] == frame["i"] ** 2).all()
    assert len(chunk_files(out)) == 12
    assert not [f for f in (out / CHUNK_DIR).iterdir() if f.name.startswith(".")]  # no partial file


# ----------------------------------------------------------------------------- manifest


def test_a_different_grid_in_the_same_directory_is_refused(tmp_path):
    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    with pytest.raises(InputError, match="different sweep .*6 points there, 30 now|30 points there, 6 now"):
        run_sweep(poly, {"a": np.arange(6), "b": [0.0]}, out, workers=0, progress=False)
    with pytest.raises(InputError, match="different grid values"):
        run_sweep(poly, {"a": np.arange(6), "b": np.linspace(0.0, 2.0, 5)}, out, workers=0, progress=False)
    with pytest.raises(InputError, match="parameters"):
        run_sweep(poly, {"a": np.arange(6), "c": np.linspace(0.0, 1.0, 5)}, out, workers=0, progress=False)
    with pytest.raises(InputError, match="solver = None there, 'scip' now"):
        run_sweep(poly, GRID, out, workers=0, progress=False, meta={"solver": "scip"})
    with pytest.raises(InputError, match="chunk_size = 4, not 5"):
        run_sweep(poly, GRID, out, workers=0, chunk_size=5, progress=False)
    assert len(chunk_files(out)) == 8  # the refused runs touched nothing


def test_chunks_without_manifest_are_refused(tmp_path):
    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    (out / MANIFEST).unlink()
    with pytest.raises(InputError, match="no manifest.json"):
        run_sweep(poly, GRID, out, workers=0, progress=False)


def test_bad_arguments(tmp_path):
    with pytest.raises(InputError, match="workers = -1"):
        run_sweep(poly, GRID, tmp_path / "a", workers=-1, progress=False)
    with pytest.raises(InputError, match="chunk_size = 0"):
        run_sweep(poly, GRID, tmp_path / "b", workers=0, chunk_size=0, progress=False)


def test_a_failing_point_keeps_the_finished_chunks_for_the_rerun(tmp_path):
    out = tmp_path / "s"

    def fails_at_17(point):
        if point["i"] == 17:
            raise ValueError("bad point 17")
        return {"sq": point["i"] ** 2}

    with pytest.raises(ValueError, match="bad point 17"):
        run_sweep(fails_at_17, {"i": np.arange(30)}, out, workers=0, chunk_size=5, progress=False)
    assert len(chunk_files(out)) == 3  # points 0..14 are safe on disk
    seen = []

    def fixed(point):
        seen.append(point["i"])
        return {"sq": point["i"] ** 2}

    frame = run_sweep(fixed, {"i": np.arange(30)}, out, workers=0, progress=False)
    assert sorted(seen) == list(range(15, 30)) and (frame["sq"] == frame["i"] ** 2).all()


def test_sweep_on_an_existing_cluster_by_address(tmp_path, monkeypatch):
    from distributed import LocalCluster

    from coopt.experiments.sweep import engine

    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "1s")

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        frame = run_sweep(poly, GRID, tmp_path / "s", scheduler=cluster.scheduler_address, chunk_size=7,
                          progress=False)
    np.testing.assert_allclose(frame["y"], expected(frame))
    with pytest.raises(InputError, match="cannot connect") as err:
        run_sweep(poly, GRID, tmp_path / "t", scheduler="tcp://127.0.0.1:9", progress=False)
    assert "\n" not in str(err.value) and not (tmp_path / "t").exists()  # refused before writing anything


@pytest.mark.parametrize("address", ["tcp://", "foo://127.0.0.1:8786", "127.0.0.1:99999", "tcp://[bad:1",
                                     "host name:8786", "\x1b[31m:1", "tcp://127.0.0.1:notaport", ""])
def test_a_bad_scheduler_address_is_one_line_before_any_work(tmp_path, address):
    from coopt.experiments.sweep import check_scheduler_address

    calls = []
    with pytest.raises(InputError, match="--scheduler") as err:
        check_scheduler_address(address)
    assert "\n" not in str(err.value) and "\x1b" not in str(err.value)
    if address:
        with pytest.raises(InputError, match="--scheduler"):
            run_sweep(lambda p: calls.append(1) or {}, {"i": [1, 2]}, tmp_path / "x", scheduler=address,
                      progress=False)
        assert not calls and not (tmp_path / "x").exists()


def test_rows_with_mixed_kinds_in_a_column_are_stored(tmp_path):
    def mixed(point):
        return {"note": point["i"] if point["i"] % 2 else f"even {point['i']}", "maybe": None}

    frame = run_sweep(mixed, {"i": np.arange(4)}, tmp_path / "m", workers=0, chunk_size=4, progress=False)
    assert frame["note"].tolist() == ["even 0", "1", "even 2", "3"]
    with pytest.raises(ValueError, match="'point_id' column"):
        run_sweep(lambda p: {"point_id": 1}, {"i": [1]}, tmp_path / "r", workers=0, progress=False)


def test_cluster_session_shares_one_local_cluster(tmp_path, monkeypatch):
    import distributed

    from coopt.experiments.sweep import cluster_session

    started = []
    real = distributed.LocalCluster

    def counting(*args, **kwargs):
        started.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(distributed, "LocalCluster", counting)
    with cluster_session():
        a = run_sweep(poly, GRID, tmp_path / "a", workers=2, processes=False, progress=False)
        b = run_sweep(poly, {"a": [1, 2], "b": [0.5]}, tmp_path / "b", workers=2, processes=False, progress=False)
    assert len(started) == 1
    assert len(a) == 30 and b["y"].tolist() == [2.5, 5.5]
    run_sweep(poly, {"a": [3], "b": [0.0]}, tmp_path / "c", workers=2, processes=False, progress=False)
    assert len(started) == 2  # outside a session each sweep has its own cluster


