"""A sweep's directory: one writer at a time (lock), a checksum per chunk, damaged chunks recomputed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coopt.errors import CooptError, InputError
from coopt.experiments.sweep import CHUNK_DIR, LOCK, MANIFEST, RESULTS, collect, run_sweep
from coopt.experiments.sweep.storage import checksum_path, directory_lock

GRID = {"a": np.arange(6), "b": np.linspace(0.0, 1.0, 5)}  # 30 points


def poly(point: dict) -> dict:
    return {"y": point["a"] ** 2 + 3 * point["b"]}


def chunk_files(out: Path) -> list[Path]:
    return sorted((out / CHUNK_DIR).glob("chunk-*.parquet"))


def tracked(seen: list):
    def fn(point: dict) -> dict:
        seen.append((point["a"], point["b"]))
        return poly(point)

    return fn


def check_frame(frame: pd.DataFrame) -> None:
    assert list(frame["point_id"]) == list(range(30))
    np.testing.assert_allclose(frame["y"], frame["a"] ** 2 + 3 * frame["b"])


# ----------------------------------------------------------------------------- checksums


def test_every_chunk_has_a_checksum_of_its_bytes(tmp_path):
    import hashlib

    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    files = chunk_files(out)
    assert len(files) == 8
    for f in files:
        digest, size = checksum_path(f).read_text().split()
        assert digest == hashlib.sha256(f.read_bytes()).hexdigest() and int(size) == f.stat().st_size
    assert json.loads((out / MANIFEST).read_text())["version"] == 2


def test_a_chunk_with_flipped_bytes_is_recomputed_not_read(tmp_path):
    """Same size, valid Parquet footer, wrong bytes inside: only the checksum can tell."""
    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    victim = chunk_files(out)[3]
    raw = bytearray(victim.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    victim.write_bytes(bytes(raw))
    with pytest.raises(CooptError, match="does not match its checksum"):
        collect(out)  # reading the directory as it is: the damaged chunk is named, not silently read
    seen: list = []
    frame = run_sweep(tracked(seen), GRID, out, workers=0, progress=False)
    assert len(seen) == 4  # chunk 3 only
    check_frame(frame)
    pd.testing.assert_frame_equal(pd.read_parquet(out / RESULTS), frame)


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "no checksum", "bad checksum file",
                                    "other rows"])
def test_damaged_chunks_never_crash_a_resume(tmp_path, damage):
    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    victim = chunk_files(out)[5]
    if damage == "garbage":
        victim.write_bytes(b"PAR1 this is not parquet PAR1")
    elif damage == "empty":
        victim.write_bytes(b"")
    elif damage == "truncated":
        victim.write_bytes(victim.read_bytes()[:60])
    elif damage == "no checksum":  # a chunk coopt did not write (coopt writes the checksum first)
        checksum_path(victim).unlink()
    elif damage == "bad checksum file":
        checksum_path(victim).write_text("not a checksum")
    else:  # a valid chunk with its own valid checksum, but holding another chunk's points
        other = chunk_files(out)[0]
        victim.write_bytes(other.read_bytes())
        checksum_path(victim).write_text(checksum_path(other).read_text())
    for _ in range(2):  # every resume works, not just the first
        seen: list = []
        frame = run_sweep(tracked(seen), GRID, out, workers=0, progress=False)
        check_frame(frame)
        assert len(seen) in (0, 4)
    assert len(chunk_files(out)) == 8


def test_a_layout_1_directory_resumes_and_recomputes_unchecked_chunks(tmp_path):
    """A sweep started by a coopt without chunk checksums: same grid, so it resumes; its chunks,
    which nothing vouches for, are recomputed once and then carry checksums."""
    out = tmp_path / "s"
    run_sweep(poly, GRID, out, workers=0, chunk_size=4, progress=False)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["version"] = 1
    (out / MANIFEST).write_text(json.dumps(manifest))
    for f in chunk_files(out):
        checksum_path(f).unlink()
    seen: list = []
    check_frame(run_sweep(tracked(seen), GRID, out, workers=0, progress=False))
    assert len(seen) == 30 and json.loads((out / MANIFEST).read_text())["version"] == 2
    seen.clear()
    check_frame(run_sweep(tracked(seen), GRID, out, workers=0, progress=False))
    assert not seen


# ----------------------------------------------------------------------------- lock


def test_a_second_sweep_into_a_locked_directory_is_refused_naming_the_holder(tmp_path):
    out = tmp_path / "s"
    out.mkdir()
    calls = []
    with directory_lock(out):  # another sweep holds the directory (a second open file: a second holder)
        holder = (out / LOCK).read_text()
        assert f"pid {os.getpid()}" in holder
        with pytest.raises(InputError, match=f"another sweep is writing here \\(pid {os.getpid()} ") as err:
            run_sweep(lambda p: calls.append(1) or {"y": 1}, GRID, out, workers=0, progress=False)
        assert "\n" not in str(err.value) and "--out" in str(err.value)
    assert not calls and not (out / MANIFEST).exists()  # refused before touching anything
    frame = run_sweep(poly, GRID, out, workers=0, progress=False)  # released: the sweep runs
    check_frame(frame)
    assert (out / LOCK).read_text() == ""  # nobody holds it now


def test_a_lock_held_by_another_process_and_a_stale_one(tmp_path):
    """A live process holding the lock blocks the sweep; once it is gone (killed: no cleanup), its
    lock file is still there, names a dead pid, and is taken over."""
    out = tmp_path / "s"
    out.mkdir()
    code = ("import sys, time; from pathlib import Path; from coopt.experiments.sweep.storage import directory_lock\n"
            "with directory_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(InputError, match=f"pid {proc.pid} "):
            run_sweep(poly, GRID, out, workers=0, progress=False)
    finally:
        proc.kill()
        proc.wait()
    assert f"pid {proc.pid} " in (out / LOCK).read_text()  # stale: the killed holder never cleaned up
    check_frame(run_sweep(poly, GRID, out, workers=0, progress=False))


def test_the_lock_is_released_when_a_point_fails(tmp_path):
    out = tmp_path / "s"

    def fails(point):
        raise ValueError("bad point")

    with pytest.raises(ValueError, match="bad point"):
        run_sweep(fails, GRID, out, workers=0, progress=False)
    check_frame(run_sweep(poly, GRID, out, workers=0, progress=False))


def test_the_pid_file_lock_where_flock_is_missing(tmp_path, monkeypatch):
    """Without fcntl: an exclusive pid file; a live pid blocks, a dead one is taken over."""
    import builtins

    real_import = builtins.__import__

    def no_fcntl(name, *args, **kwargs):
        if name == "fcntl":
            raise ImportError("no fcntl here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fcntl)
    out = tmp_path / "s"
    out.mkdir()
    with directory_lock(out):
        with pytest.raises(InputError, match=f"pid {os.getpid()} "):
            with directory_lock(out):
                pass
    assert not (out / LOCK).exists()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import socket

    (out / LOCK).write_text(f"pid {int(dead.stdout)} on {socket.gethostname()} since then\n")
    with directory_lock(out):
        assert f"pid {os.getpid()} " in (out / LOCK).read_text()
