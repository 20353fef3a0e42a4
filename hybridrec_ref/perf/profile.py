"""Fit time and peak memory of a function, measured in a fresh child process, with a time and memory budget (chapter 14, ``ch-scale``).

Peak resident memory is a per-process high-water mark, so each measurement runs
in its own child process: the child records its resident size when it starts
(``VmRSS``), runs the function, and reports its high-water mark (``VmHWM``) minus
that start. The difference is what the function itself added (its arrays,
tensors and temporaries), not the interpreter and libraries already loaded.

The child is *not* a fork of the caller. A notebook kernel that has run torch
(OpenMP worker threads), started Spark's JVM or a progress-bar thread cannot be
forked safely: the child inherits locks held by threads that do not exist in it
and may hang forever. Children come instead from multiprocessing's
``forkserver``: a fresh Python process started once, which only imports torch
and the package and then forks one child per measurement (fast; it has run no
parallel work, so no thread of it holds a lock when it forks). The function travels to it with
``cloudpickle``, so closures and lambdas defined in a notebook work.

Each measurement has a budget: ``timeout`` seconds and ``max_bytes`` added
memory. A child that exceeds either is killed and reported
(``status="timeout"`` or ``"memory"``), never waited on forever; the memory
budget counts the child and every process it starts. Work done in other
processes (Spark's JVM, torchrun workers) is not in ``peak_bytes``:
:func:`process_tree_peak` samples those. Linux only (``/proc``).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
import threading
import time
import traceback
from typing import Callable

import cloudpickle
import psutil

from ..validation import check_positive

#: what the fork server imports once, so that each child starts in milliseconds
PRELOAD = ["numpy", "scipy.sparse", "pandas", "torch", "hybridrec_ref.cf", "hybridrec_ref.eval",
           "hybridrec_ref.perf.profile"]


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_hwm() -> bool:
    """Reset this process's high-water mark to its current size (Linux >= 4.0); False if not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


_START_KB: int | None = None


def peak_so_far() -> int:
    """Inside a function run by :func:`measure`: bytes added at the peak so far (e.g. after fit, before scoring)."""
    if _START_KB is None:
        raise RuntimeError("peak_so_far() only works inside a function run by measure()")
    return (_status_kb("VmHWM") - _START_KB) * 1024


def _child(payload: bytes, conn) -> None:
    global _START_KB
    try:
        fn = cloudpickle.loads(payload)  # imports what fn needs and copies its data before the start mark
        _reset_hwm()
        start = _START_KB = _status_kb("VmRSS")
        conn.send(("start", start * 1024, None, None))
        t0 = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - t0
        conn.send(("ok", seconds, (_status_kb("VmHWM") - start) * 1024, value))
    except BaseException:  # report any failure to the parent instead of dying silently
        conn.send(("error", traceback.format_exc(), None, None))
    finally:
        conn.close()


def _tree_rss(pid: int, itself: bool = True) -> int:
    """Resident bytes of process ``pid`` (unless ``itself=False``) and its descendants (0 once gone)."""
    try:
        p = psutil.Process(pid)
        procs = [p] * itself + p.children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.Error:
            pass
    return total


@contextlib.contextmanager
def _main_not_reimported():
    """Hide ``__main__``'s origin while a child starts, so that the child does not re-run it.

    multiprocessing's children re-import the caller's main module (a script without an
    ``if __name__ == "__main__"`` guard would start measuring again in every child); the
    measured function comes by ``cloudpickle`` and needs nothing from it.
    """
    main = sys.modules["__main__"]
    saved = {k: main.__dict__[k] for k in ("__spec__", "__file__") if k in main.__dict__}
    main.__dict__.update(__spec__=None)
    main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        main.__dict__.update(saved)


def _context():
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def measure(fn: Callable[[], object], timeout: float | None = None, max_bytes: float | None = None,
            interval: float = 0.05) -> dict:
    """Run ``fn()`` in a fresh child process within a budget; return what happened.

    Returns ``{"status", "seconds", "peak_bytes", "value"}``. ``status`` is ``"ok"``
    (``value`` is what ``fn`` returned; it must be picklable: return numbers, not
    fitted models), ``"timeout"`` (still running after ``timeout`` seconds) or
    ``"memory"`` (it added more than ``max_bytes``); in the last two the child was
    killed, ``value`` is ``None``, ``seconds`` is when it was stopped and
    ``peak_bytes`` the most it was seen to add (sampled every ``interval`` s: a
    lower bound). An exception in the child is raised here as a ``RuntimeError``
    carrying its traceback; a child that dies without a word (killed by the
    system) too.
    """
    check_positive("timeout", timeout, allow_none=True)
    check_positive("max_bytes", max_bytes, allow_none=True)
    check_positive("interval", interval)
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(cloudpickle.dumps(fn), child), daemon=True)
    t0 = time.perf_counter()
    with _main_not_reimported():
        proc.start()
    child.close()
    start_bytes, seen = None, 0
    try:
        while True:
            if parent.poll(interval):
                try:
                    status, a, b, value = parent.recv()
                except EOFError:
                    proc.join()
                    raise RuntimeError(f"the measuring child process died without a result "
                                       f"(exit code {proc.exitcode})") from None
                if status == "start":
                    start_bytes = a
                    continue
                proc.join()
                if status != "ok":
                    raise RuntimeError(f"measured function failed in the child process:\n{a}")
                return {"status": "ok", "seconds": a, "peak_bytes": b, "value": value}
            elapsed = time.perf_counter() - t0
            if start_bytes is not None:
                seen = max(seen, _tree_rss(proc.pid) - start_bytes)
            over = ("timeout" if timeout is not None and elapsed > timeout else
                    "memory" if max_bytes is not None and seen > max_bytes else None)
            if over:
                return {"status": over, "seconds": elapsed, "peak_bytes": seen, "value": None}
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()


def profile_fit(make: Callable[[], object], train, test=None, threads: int | None = None,
                timeout: float | None = None, max_bytes: float | None = None, k: int = 10) -> dict:
    """Fit ``make()`` on ``train`` in a fresh process within a budget (:func:`measure`).

    Returns ``{"status", "fit_s", "peak_mb", "ndcg", "stopped_s"}``: fit seconds, MB the fit added at
    its peak (read before scoring), and with ``test`` the NDCG@``k`` of the fitted model
    (``nan`` without). A fit past ``timeout`` seconds or ``max_bytes`` is a row with
    ``status`` ``"timeout"`` or ``"memory"``, ``nan`` for what was not measured and
    ``stopped_s``, when it was stopped, so a table of fits always completes. ``threads``
    sets torch's CPU threads in the child (one thread on a shared machine: see chapter 14,
    "GPU and parallel computing").
    """
    def job():
        import torch

        from ..eval import evaluate

        if threads is not None:
            torch.set_num_threads(threads)
        t0 = time.perf_counter()
        model = make().fit(train)
        out = {"fit_s": time.perf_counter() - t0, "peak_mb": peak_so_far() / 2**20, "ndcg": float("nan")}
        if test is not None:
            t = evaluate(model, train, test, ks=(k,))
            out["ndcg"] = float(t.loc[t.metric == "NDCG", "value"].iloc[0])
        return out

    r = measure(job, timeout=timeout, max_bytes=max_bytes)
    if r["status"] != "ok":
        return {"status": r["status"], "fit_s": float("nan"), "peak_mb": float("nan"), "ndcg": float("nan"),
                "stopped_s": r["seconds"]}
    return {"status": "ok", **r["value"], "stopped_s": float("nan")}


class process_tree_peak:
    """Context manager sampling the summed resident memory of this process's children (JVMs, workers).

    ``with process_tree_peak() as p: ...`` then ``p.peak_bytes``; sampled every ``interval`` seconds,
    so short spikes between samples are missed (a lower bound).
    """

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak_bytes = interval, 0
        self._stop = threading.Event()

    def _sample(self):
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, _tree_rss(os.getpid(), itself=False))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False
