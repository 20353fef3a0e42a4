"""Measurement within a budget, synthetic data, cache hit rates (hybridrec_ref.perf.profile, .synthetic, .caching)."""

import numpy as np
import pytest

from hybridrec_ref.perf.profile import measure, profile_fit
from hybridrec_ref.perf.synthetic import synthetic_interactions


def test_measure_reports_time_value_and_the_memory_the_function_adds():
    small = measure(lambda: float(np.ones(1_000).sum()))
    big = measure(lambda: float(np.ones(25_000_000).sum()))  # 200 MB of float64
    assert small["status"] == big["status"] == "ok"
    assert small["value"] == 1000.0 and big["value"] == 25e6
    assert big["peak_bytes"] > 180e6 and small["peak_bytes"] < 50e6
    assert big["seconds"] > 0


def test_measure_raises_the_childs_error():
    def boom():
        raise ValueError("bad input")

    with pytest.raises(RuntimeError, match="bad input"):
        measure(boom)


def test_measure_runs_closures_in_a_fresh_process_not_a_fork_of_the_caller():
    import os
    import threading

    data = np.arange(10)
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)  # a thread in the caller (as a kernel has)
    busy.start()
    try:
        r = measure(lambda: (int(data.sum()), os.getppid()))
    finally:
        stop.set()
    assert r["status"] == "ok" and r["value"][0] == 45
    assert r["value"][1] != os.getpid()  # the child's parent is the fork server, not this process


def test_a_measurement_past_its_timeout_is_reported_not_waited_on():
    import time

    t0 = time.perf_counter()
    r = measure(lambda: time.sleep(60), timeout=1.0)
    assert time.perf_counter() - t0 < 20  # the child was killed, not awaited for 60 s
    assert r["status"] == "timeout" and r["value"] is None and r["seconds"] >= 1.0


def test_a_measurement_past_its_memory_budget_is_reported():
    import time

    def grow():
        blocks = []
        for _ in range(40):  # up to 1.6 GB, 40 MB at a time; stopped near 200 MB
            blocks.append(np.ones(5_000_000))
            time.sleep(0.02)
        return len(blocks)

    r = measure(grow, max_bytes=200e6, timeout=60)
    assert r["status"] == "memory" and r["value"] is None
    assert 200e6 < r["peak_bytes"] < 1.2e9
    ok = measure(lambda: float(np.ones(1000).sum()), max_bytes=200e6, timeout=60)
    assert ok["status"] == "ok" and ok["value"] == 1000.0


def test_measure_checks_its_budget():
    with pytest.raises(ValueError, match="timeout"):
        measure(lambda: 1, timeout=0)
    with pytest.raises(ValueError, match="max_bytes"):
        measure(lambda: 1, max_bytes=-1)


def test_synthetic_interactions_size_tail_and_seed():
    d = synthetic_interactions(20_000, seed=1)
    assert len(d) == 20_000 and (d.n_users, d.n_items) == (1000, 200)
    pairs = d.users * d.n_items + d.items
    assert len(np.unique(pairs)) == len(pairs)  # distinct pairs
    counts = np.sort(np.bincount(d.items, minlength=d.n_items))[::-1]
    assert counts[:20].sum() > 2 * counts[-20:].sum()  # long tail: popular items dominate
    again = synthetic_interactions(20_000, seed=1)
    assert np.array_equal(again.users, d.users) and np.array_equal(again.items, d.items)
    with pytest.raises(ValueError, match="do not fit"):
        synthetic_interactions(1000, n_users=10, n_items=10)


def test_lru_hit_rate_counts_repeats_within_capacity():
    from hybridrec_ref.perf.caching import lru_hit_rate

    assert lru_hit_rate([1, 2, 1, 3, 1, 2], 2) == pytest.approx(2 / 6)  # 1 hits twice; 2 was evicted by 3
    assert lru_hit_rate([1, 2, 1, 3, 1, 2], 3) == pytest.approx(3 / 6)
    assert lru_hit_rate([1, 1, 1], 0) == 0.0
    with pytest.raises(ValueError):
        lru_hit_rate([1], -1)


def test_profile_fit_reports_fit_time_memory_and_ndcg_and_a_fit_past_its_budget():
    from hybridrec_ref.cf import MostPopular
    from hybridrec_ref.data import random_holdout

    data = synthetic_interactions(20_000, seed=1)
    train, test = random_holdout(data, 0.2, seed=0)
    r = profile_fit(lambda: MostPopular(device="cpu"), train, test, threads=1, timeout=60)
    assert r["status"] == "ok" and r["fit_s"] > 0 and r["peak_mb"] >= 0 and 0 < r["ndcg"] <= 1
    assert np.isnan(r["stopped_s"])

    class Slow(MostPopular):
        def _fit(self, train):
            import time

            time.sleep(60)

    slow = profile_fit(lambda: Slow(device="cpu"), train, test, timeout=1.0)
    assert slow["status"] == "timeout" and np.isnan(slow["fit_s"]) and np.isnan(slow["ndcg"])
    assert 1.0 <= slow["stopped_s"] < 20
