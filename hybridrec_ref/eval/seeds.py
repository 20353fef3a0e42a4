"""Results across seeds: collect per-seed metric tables, t-intervals, paired tests over seeds (chapters 7 and 9).

A paired test across *users* (:func:`~hybridrec_ref.eval.paired_test`) asks
whether two fitted models differ by more than the user-to-user noise. It says
nothing about how much the result moves when the split and the models'
random initialisation change. For that, the whole experiment is repeated
with several seeds (re-split, refit) and:

- :func:`across_seeds` runs ``fn(seed)`` for each seed and stacks what it
  returns (``{model: {metric: value}}`` or a DataFrame with one row per model)
  into one tidy table ``seed, model, metric, value``;
- :func:`t_interval` is the mean over seeds with a Student-t interval
  ``mean +- t_{(1+level)/2, n-1} * sd / sqrt(n)``;
- :func:`seed_summary` applies it to every (model, metric);
- :func:`paired_seed_test` compares two models *seed by seed* (each seed's
  difference ``a - b``, both measured on that seed's split), with a t-interval
  of the mean difference and the paired t-test's p-value.

With few seeds the t critical value is large (4.30 for 3 seeds at 95%), so
the intervals are honest about how little three repetitions can show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from scipy import stats

from ..validation import check_frac


def _table(result, seed) -> pd.DataFrame:
    if isinstance(result, pd.DataFrame):
        df = result
    elif isinstance(result, dict):
        try:
            df = pd.DataFrame({m: dict(v) for m, v in result.items()}).T
        except (TypeError, ValueError) as err:
            raise TypeError(f"fn({seed}) must return {{model: {{metric: value}}}}; got {result!r:.200}") from err
    else:
        raise TypeError(f"fn({seed}) must return a dict {{model: {{metric: value}}}} or a DataFrame "
                        f"(one row per model), got {type(result).__name__}")
    long = df.rename_axis(index="model", columns="metric").stack().rename("value").reset_index()
    long["value"] = pd.to_numeric(long["value"], errors="raise")
    return long


def across_seeds(fn: Callable[[int], object], seeds: Iterable[int]) -> pd.DataFrame:
    """Run ``fn(seed)`` for each seed; a tidy DataFrame with columns ``seed, model, metric, value``."""
    seeds = list(seeds)
    if len(seeds) == 0:
        raise ValueError("seeds is empty: give at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {seeds}")
    parts = []
    for seed in seeds:
        part = _table(fn(seed), seed)
        part.insert(0, "seed", seed)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def t_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of ``values`` (one per seed) and its Student-t interval."""
    x = np.asarray(values, dtype=np.float64).ravel()
    if x.size < 2:
        raise ValueError(f"a t-interval needs at least 2 values (seeds), got {x.size}")
    if np.isnan(x).any():
        raise ValueError("values contain NaN")
    check_frac("level", level)
    half = stats.t.ppf((1 + level) / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half)


def _check_table(table: pd.DataFrame) -> None:
    missing = {"seed", "model", "metric", "value"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks columns {sorted(missing)}; pass the output of across_seeds")


def seed_summary(table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval over seeds for each (model, metric): columns ``mean, low, high, n_seeds``."""
    _check_table(table)
    rows = {}
    for (model, metric), grp in table.groupby(["model", "metric"], sort=False):
        m, lo, hi = t_interval(grp["value"], level)
        rows[model, metric] = {"mean": m, "low": lo, "high": hi, "n_seeds": len(grp)}
    out = pd.DataFrame(rows).T
    out.index.names = ["model", "metric"]
    out["n_seeds"] = out["n_seeds"].astype(int)
    return out


def paired_seed_test(table: pd.DataFrame, a: str, b: str, metric: str, level: float = 0.95) -> dict:
    """Model ``a`` minus model ``b`` on ``metric``, paired by seed.

    Returns ``mean_a, mean_b, diff`` (mean over seeds of the per-seed
    difference), ``ci_low, ci_high`` (t-interval at ``level``), ``t_pvalue``
    (paired t-test over seeds; 1.0 if every difference is zero, 0.0 if every
    difference is the same non-zero value) and ``n_seeds``.
    """
    _check_table(table)
    sub = table[table.metric == metric]
    wide = sub.pivot_table(index="seed", columns="model", values="value", aggfunc="first")
    for name in (a, b):
        if name not in wide.columns:
            raise ValueError(f"no {metric!r} values for model {name!r}; models: {sorted(sub.model.unique())}")
    both = wide[a].notna() & wide[b].notna()
    xa, xb = wide.loc[both, a].to_numpy(), wide.loc[both, b].to_numpy()
    if len(xa) < 2:
        raise ValueError(f"{a!r} and {b!r} share {len(xa)} seed(s) with {metric!r}; a paired test needs 2 or more")
    d = xa - xb
    diff, lo, hi = t_interval(d, level)
    if np.ptp(d) <= 1e-12 * max(1.0, float(np.abs(d).max())):  # no spread over seeds (up to rounding):
        p = 1.0 if np.abs(d).max() <= 1e-12 else 0.0                # t is 0/0 or +-inf
    else:
        p = float(stats.ttest_rel(xa, xb).pvalue)
    return {"mean_a": float(xa.mean()), "mean_b": float(xb.mean()), "diff": diff, "ci_low": lo,
            "ci_high": hi, "t_pvalue": p, "n_seeds": int(len(xa))}
