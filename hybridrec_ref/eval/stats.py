"""Uncertainty and significance for per-user metrics (chapters 1 and 9).

- :func:`bootstrap_ci`: percentile bootstrap interval of a mean over users.
- :func:`paired_test`: two models scored on the *same* users; reports the
  mean difference with a bootstrap interval, the paired t-test and the
  Wilcoxon signed-rank test. Pairing matters: users differ far more from
  each other than two good models do, and an unpaired test drowns the
  difference in that spread.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..validation import check_frac, check_int


def _values(name, x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.size == 0:
        raise ValueError(f"{name} is empty: nothing to test")
    if np.isnan(x).any():
        raise ValueError(f"{name} contains NaN; drop users without a defined metric first")
    return x


def bootstrap_ci(values, n_boot: int = 1000, level: float = 0.95, seed: int = 0) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of ``values`` and its percentile bootstrap interval."""
    x = _values("values", values)
    n_boot = check_int("n_boot", n_boot)
    check_frac("level", level)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(1)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(means, [alpha, 1 - alpha])
    return float(x.mean()), float(lo), float(hi)


def paired_test(a, b, n_boot: int = 1000, level: float = 0.95, seed: int = 0) -> dict:
    """Compare per-user metrics ``a`` and ``b`` of two models on the same users.

    Returns ``mean_a, mean_b, diff`` (a - b), ``ci_low, ci_high`` (bootstrap of
    the mean difference), ``t_pvalue`` (paired t-test), ``wilcoxon_pvalue``
    (signed-rank test; 1.0 when every difference is zero) and ``n``.
    """
    a, b = _values("a", a), _values("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must cover the same users, got {a.size} and {b.size} values")
    d = a - b
    diff, lo, hi = bootstrap_ci(d, n_boot, level, seed)
    if np.all(d == 0):
        t_p = w_p = 1.0
    else:
        t_p = float(stats.ttest_rel(a, b).pvalue)
        w_p = float(stats.wilcoxon(a, b, zero_method="wilcox").pvalue)
    return {"mean_a": float(a.mean()), "mean_b": float(b.mean()), "diff": diff, "ci_low": lo, "ci_high": hi,
            "t_pvalue": t_p, "wilcoxon_pvalue": w_p, "n": int(a.size)}
