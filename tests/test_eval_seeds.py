"""Results across seeds: collection, t-intervals (hand-computed), paired tests over seeds, bad input."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hybridrec_ref.eval import across_seeds, paired_seed_test, seed_summary, t_interval


def fake_experiment(seed):
    # "model A" is always 0.1 better than "model B", both drift with the seed
    base = 0.2 + 0.01 * (seed - 40)
    return {"A": {"NDCG@10": base + 0.1, "Recall@10": 0.5}, "B": {"NDCG@10": base, "Recall@10": 0.4 + 0.01 * seed}}


def test_across_seeds_collects_a_tidy_table():
    t = across_seeds(fake_experiment, [41, 42, 43])
    assert list(t.columns) == ["seed", "model", "metric", "value"]
    assert len(t) == 3 * 2 * 2
    assert t[(t.seed == 42) & (t.model == "B") & (t.metric == "NDCG@10")].value.item() == pytest.approx(0.22)
    # a DataFrame with one row per model works the same way
    frame = across_seeds(lambda s: pd.DataFrame(fake_experiment(s)).T, [41, 42, 43])
    pd.testing.assert_frame_equal(frame.sort_values(list(frame.columns)).reset_index(drop=True),
                                  t.sort_values(list(t.columns)).reset_index(drop=True))


def test_t_interval_hand_computed():
    m, lo, hi = t_interval([1.0, 2.0, 3.0])
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)  # sd = 1
    assert (m, lo, hi) == pytest.approx((2.0, 2.0 - half, 2.0 + half))
    assert half == pytest.approx(2.484, abs=1e-3)
    _, lo90, hi90 = t_interval([1.0, 2.0, 3.0], level=0.9)
    assert hi90 - lo90 < hi - lo


def test_seed_summary_and_paired_seed_test():
    t = across_seeds(fake_experiment, [41, 42, 43])
    s = seed_summary(t)
    assert s.loc[("A", "NDCG@10"), "mean"] == pytest.approx(0.32)
    assert s.loc[("A", "Recall@10"), "low"] == pytest.approx(0.5)  # no spread: a zero-width interval
    assert s.loc[("B", "Recall@10"), "n_seeds"] == 3
    p = paired_seed_test(t, "A", "B", "NDCG@10")
    # the difference is exactly 0.1 on every seed: zero-width interval, p = 0
    assert p["diff"] == pytest.approx(0.1) and p["ci_low"] == pytest.approx(0.1) and p["t_pvalue"] == 0.0
    assert p["n_seeds"] == 3
    same = paired_seed_test(t, "A", "A", "Recall@10")
    assert same["diff"] == 0 and same["t_pvalue"] == 1.0


def test_paired_seed_test_matches_scipy():
    a, b = [0.30, 0.35, 0.28, 0.33], [0.29, 0.31, 0.29, 0.30]
    t = across_seeds(lambda s: {"a": {"m": a[s]}, "b": {"m": b[s]}}, range(4))
    p = paired_seed_test(t, "a", "b", "m")
    d = np.subtract(a, b)
    assert p["diff"] == pytest.approx(d.mean())
    assert p["t_pvalue"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert (p["ci_low"], p["ci_high"]) == pytest.approx(t_interval(d)[1:])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=2, max_size=20), st.floats(0.5, 0.99))
def test_t_interval_contains_the_mean_and_widens_with_level(values, level):
    m, lo, hi = t_interval(values, level)
    assert lo <= m + 1e-9 and m <= hi + 1e-9
    _, lo2, hi2 = t_interval(values, min(level + 0.005, 0.995))
    assert hi2 - lo2 >= hi - lo - 1e-9


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="at least 2"):
        t_interval([0.3])
    with pytest.raises(ValueError, match="level"):
        t_interval([0.3, 0.4], level=1.5)
    with pytest.raises(ValueError, match="empty"):
        across_seeds(fake_experiment, [])
    with pytest.raises(ValueError, match="distinct"):
        across_seeds(fake_experiment, [1, 1])
    with pytest.raises(TypeError, match="must return"):
        across_seeds(lambda s: 0.3, [1, 2])
    t = across_seeds(fake_experiment, [41, 42])
    with pytest.raises(ValueError, match="no 'NDCG@10' values for model 'C'"):
        paired_seed_test(t, "A", "C", "NDCG@10")
    with pytest.raises(ValueError, match="2 or more"):
        paired_seed_test(t[t.seed == 41], "A", "B", "NDCG@10")
    with pytest.raises(ValueError, match="lacks columns"):
        seed_summary(t.drop(columns="seed"))
