"""A sweep's directory: manifest, checksummed Parquet chunks, the results file and a lock.

    out_dir/manifest.json              the sweep's identity: grid hash, parameters, points, chunk size, meta
    out_dir/chunks/chunk-000007.parquet     one finished chunk (temp file + rename: always complete)
    out_dir/chunks/chunk-000007.sha256      its SHA-256 and size (written before the chunk's rename)
    out_dir/results.parquet            every row, written once all chunks are there
    out_dir/.lock                      held (``flock``) by the sweep writing here; names its pid

A chunk's checksum file is written before the chunk takes its name. A chunk counts as finished
only if its checksum file matches its bytes and its rows are exactly the chunk's points; anything
else (a truncated or corrupted file, a chunk without its checksum, a killed writer's temp file) is
removed and recomputed on resume.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from coopt.errors import CooptError, InputError
from coopt.experiments.base import atomic_path
from coopt.experiments.sweep.grid import plain, shown

MANIFEST = "manifest.json"
CHUNK_DIR = "chunks"
RESULTS = "results.parquet"
LOCK = ".lock"
MANIFEST_VERSION = 2  # 2: a SHA-256 file per chunk
_CHUNK_RE = re.compile(r"^chunk-(\d+)\.parquet$")


# ----------------------------------------------------------------------------- lock


@contextlib.contextmanager
def directory_lock(out_dir: Path) -> Iterator[None]:
    """Hold ``out_dir/.lock`` for the duration of a sweep; a second sweep into the same directory
    is refused (:class:`InputError`, naming the holder's pid). The lock is an ``flock`` on the file:
    the kernel releases it when its holder dies, so a lock left by a killed sweep is simply taken
    over. Where ``flock`` is unavailable the file is created exclusively and a lock whose pid is no
    longer alive on this host is taken over."""
    path = Path(out_dir) / LOCK
    try:
        import fcntl
    except ImportError:  # not POSIX
        fcntl = None
    if fcntl is None:
        with _pid_file_lock(path):
            yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"{out_dir}: another sweep is writing here ({_holder(path)}); wait for it to "
                             "finish or choose another --out directory") from None
        os.ftruncate(fd, 0)
        os.write(fd, _owner().encode())
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock


def _owner() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n"


def _holder(path: Path) -> str:
    try:
        text = path.read_text().strip()
    except OSError:
        text = ""
    return shown(text, 120) or "pid unknown"


@contextlib.contextmanager
def _pid_file_lock(path: Path) -> Iterator[None]:
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            text = _holder(path)
            m = re.match(r"pid (\d+) on (\S+)", text)
            alive = m is not None and (m.group(2) != socket.gethostname() or _pid_alive(int(m.group(1))))
            if alive:
                raise InputError(f"{path.parent}: another sweep is writing here ({text}); wait for it to "
                                 "finish or choose another --out directory") from None
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # a stale lock from a process that is gone
            continue
        with os.fdopen(fd, "w") as f:
            f.write(_owner())
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        return
    raise InputError(f"{path.parent}: could not take the sweep lock {path}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


# ----------------------------------------------------------------------------- files


def write_parquet(frame: pd.DataFrame, path: Path, before_rename: Callable[[Path], Any] | None = None) -> None:
    """Write ``frame`` atomically; a column mixing kinds (numbers and text) is stored as text.

    ``before_rename(tmp)`` runs on the complete temp file just before it takes ``path``'s name.
    """
    import pyarrow as pa

    def write(data: pd.DataFrame) -> None:
        with atomic_path(path) as tmp:
            data.to_parquet(tmp, index=False)
            if before_rename is not None:
                before_rename(tmp)

    try:
        write(frame)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        fixed = frame.copy()
        for col in fixed.columns:
            if fixed[col].dtype == object:
                fixed[col] = fixed[col].map(lambda v: v if v is None or isinstance(v, str) else _cell_text(v))
        write(fixed)


def _cell_text(v: Any) -> str | None:
    if isinstance(v, float) and math.isnan(v):
        return None
    try:
        return json.dumps(plain(v), default=str)
    except (TypeError, ValueError):
        return str(v)


def chunk_path(out_dir: Path, k: int) -> Path:
    return Path(out_dir) / CHUNK_DIR / f"chunk-{k:06d}.parquet"


def checksum_path(chunk: Path) -> Path:
    return chunk.with_suffix(".sha256")


def _digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def write_chunk(out_dir: Path, k: int, frame: pd.DataFrame) -> Path:
    """Write chunk ``k``: the Parquet file to a temp name, its checksum file (atomically), then the
    rename that makes the chunk visible -- a chunk file never exists without its checksum."""
    path = chunk_path(out_dir, k)

    def record(tmp: Path) -> None:
        digest, size = _digest(tmp)
        with atomic_path(checksum_path(path)) as sidecar:
            sidecar.write_text(f"{digest} {size}\n")

    write_parquet(frame, path, before_rename=record)
    return path


def _checksum_ok(path: Path) -> bool:
    try:
        want = checksum_path(path).read_text().split()
        digest, size = _digest(path)
    except OSError:
        return False
    return len(want) == 2 and want[0] == digest and want[1] == str(size)


def _remove(path: Path) -> None:
    for p in (path, checksum_path(path)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def finished_chunks(out_dir: Path, chunks: list[range]) -> dict[int, Path]:
    """Chunks already written and intact: checksum matching, readable, rows exactly the chunk's points.

    Everything else in ``chunks/`` that looks like a chunk (corrupted, truncated, without checksum,
    out of range) and the temp files of killed writers are removed, so they are recomputed.
    """
    done: dict[int, Path] = {}
    cdir = Path(out_dir) / CHUNK_DIR
    if not cdir.is_dir():
        return done
    for f in sorted(cdir.iterdir()):
        if f.name.startswith(".") and ".tmp-" in f.name:  # a writer killed before its rename
            with contextlib.suppress(FileNotFoundError):
                f.unlink()
            continue
        m = _CHUNK_RE.match(f.name)
        if not m:
            if f.suffix == ".sha256" and not f.with_suffix(".parquet").exists():
                with contextlib.suppress(FileNotFoundError):
                    f.unlink()  # the checksum of a chunk removed by hand
            continue
        k = int(m.group(1))
        ok = k < len(chunks) and _checksum_ok(f)
        if ok:
            try:
                ids = pd.read_parquet(f, columns=["point_id"])["point_id"].tolist()
                ok = ids == list(chunks[k])
            except Exception:  # unreadable despite its checksum (e.g. written by another tool): recompute
                ok = False
        if ok:
            done[k] = f
        else:
            _remove(f)
    return done


def collect(out_dir: Path | str, n_chunks: int | None = None) -> pd.DataFrame:
    """Read the finished chunks of ``out_dir`` into one frame sorted by ``point_id``.

    Every chunk is checked against its checksum first (a mismatch raises, naming the chunk: rerun
    the sweep to recompute it). When all ``n_chunks`` are there, also write ``results.parquet``.
    """
    out_dir = Path(out_dir)
    files = sorted(f for f in (out_dir / CHUNK_DIR).glob("chunk-*.parquet") if _CHUNK_RE.match(f.name))
    if not files:
        return pd.DataFrame(columns=["point_id"])
    frames = []
    for f in files:
        if not _checksum_ok(f):
            raise CooptError(f"{f}: chunk does not match its checksum; rerun the same sweep to recompute it")
        frames.append(pd.read_parquet(f))
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.sort_values("point_id", kind="stable").reset_index(drop=True)
    if frame["point_id"].duplicated().any():  # cannot happen with chunk files; guard the claim
        raise CooptError(f"{out_dir}: duplicate point_id rows in the chunk files")
    if n_chunks is not None and len(files) == n_chunks:
        write_parquet(frame, out_dir / RESULTS)
    return frame


# ----------------------------------------------------------------------------- manifest


def read_chunk_size(out_dir: Path) -> int | None:
    """The chunk size a sweep in ``out_dir`` was started with (None for a new directory)."""
    with contextlib.suppress(Exception):
        return int(json.loads((Path(out_dir) / MANIFEST).read_text())["chunk_size"])
    return None


def check_manifest(out_dir: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the manifest of a new sweep, or check that ``out_dir`` holds the same sweep."""
    path = Path(out_dir) / MANIFEST
    if not path.exists():
        if any((Path(out_dir) / CHUNK_DIR).glob("chunk-*.parquet")):
            raise InputError(f"{out_dir}: holds sweep chunks but no {MANIFEST}; use an empty --out directory")
        _write_text(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2, default=str)))
        return manifest
    try:
        old = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: unreadable sweep manifest ({shown(str(err), 120)}); "
                         "use another --out directory") from None
    if not isinstance(old, dict) or old.get("grid_hash") != manifest["grid_hash"]:
        diff = _describe_difference(old if isinstance(old, dict) else {}, manifest)
        raise InputError(
            f"{out_dir} holds a different sweep ({diff}); rerun with the same grid and settings "
            f"to resume, or choose another --out directory"
        )
    if old.get("version") != manifest["version"]:  # same sweep, older layout: chunks without checksums
        _write_text(path, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2, default=str)))
        return manifest
    return old


def _write_text(path: Path, write: Callable[[Path], Any]) -> None:
    with atomic_path(path) as tmp:
        write(tmp)


def _describe_difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    if old.get("parameters") != new.get("parameters"):
        return f"parameters {old.get('parameters')} there, {new.get('parameters')} now"
    if old.get("n_points") != new.get("n_points"):
        return f"{old.get('n_points')} points there, {new.get('n_points')} now"
    for key in sorted(set(old.get("meta", {})) | set(new.get("meta", {}))):
        a, b = old.get("meta", {}).get(key), new.get("meta", {}).get(key)
        if a != b and isinstance(a, dict) and isinstance(b, dict):
            for sub in sorted(set(a) | set(b)):
                if a.get(sub) != b.get(sub):
                    return f"{key} {sub} = {a.get(sub)!r} there, {b.get(sub)!r} now"
        if a != b:
            return f"{key} = {a!r} there, {b!r} now"
    return "same parameters, different grid values"


__all__ = ["CHUNK_DIR", "LOCK", "MANIFEST", "MANIFEST_VERSION", "RESULTS", "check_manifest", "checksum_path",
           "chunk_path", "collect", "directory_lock", "finished_chunks", "read_chunk_size", "write_chunk",
           "write_parquet"]
