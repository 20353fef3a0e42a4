"""Evaluation by segment: warm vs cold items, user-activity buckets (chapter 9).

A single overall number hides where a hybrid helps. This module slices one
evaluation three ways, always with the book's protocol (full ranking over all
items, training items excluded, :func:`~hybridrec_ref.eval.per_user_metrics`):

- **overall**: every test interaction;
- **item groups** (default: *warm* items, with training interactions, and
  *cold* items, without): the test interactions are restricted to the
  group's items, and each user's ranking is still over *all* items; so
  "Recall@10 on cold items" is the share of a user's held-out cold items that
  made it into the one top-10 list the user would see;
- **user segments** (default: :func:`activity_buckets`): the per-user metrics
  over all test interactions, averaged within each segment.

Cold *users* (no training interactions at all) are a different split, not a
segment: use :func:`~hybridrec_ref.data.cold_start_split` with
``axis="user"`` and evaluate on its test set; chapter 9 reports what each
model does for them.

:func:`paired_by_segment` runs :func:`~hybridrec_ref.eval.paired_test` within
each segment (two models, the same users): where does one model win and where
does it lose?
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import Recommender, check_k
from ..data.interactions import Interactions
from .protocol import per_user_metrics, relevant_matrix
from .stats import bootstrap_ci, paired_test

#: default activity edges (training interactions per user): roughly doubling, so
#: each bucket covers a similar range on a log scale. On chapter 9's ML-100k
#: cold-start split they give buckets of about 200, 250, 200, 200 and 90 users.
DEFAULT_EDGES = (20, 40, 80, 160)


def bucket_labels(edges) -> list[str]:
    """Labels of the buckets cut at ``edges``: ``["<20", "20-39", ..., ">=160"]``."""
    edges = [int(e) for e in edges]
    return ([f"<{edges[0]}"] + [f"{a}-{b - 1}" for a, b in zip(edges, edges[1:])] + [f">={edges[-1]}"])


def activity_buckets(train: Interactions, edges=DEFAULT_EDGES) -> pd.Series:
    """Each user's activity bucket by number of training interactions.

    Returns an ordered categorical Series indexed by user index (all
    ``train.n_users`` users), with the labels of :func:`bucket_labels`.
    Users with no training interaction fall into the lowest bucket.
    ``edges`` must be strictly increasing positive integers.
    """
    if not isinstance(train, Interactions):
        raise TypeError(f"train must be an Interactions object, got {type(train).__name__}")
    e = np.asarray(edges)
    if e.ndim != 1 or len(e) == 0:
        raise ValueError(f"edges must be a non-empty 1-D sequence of counts, got {edges!r}")
    if e.dtype.kind not in "iu" and not np.all(e == np.round(e)):
        raise ValueError(f"edges must be whole numbers of interactions, got {edges!r}")
    if (e <= 0).any() or (np.diff(e) <= 0).any():
        raise ValueError(f"edges must be positive and strictly increasing, got {edges!r}")
    labels = bucket_labels(e)
    codes = np.digitize(train.user_counts(), e)  # 0 below edges[0], len(e) at or above edges[-1]
    cat = pd.Categorical.from_codes(codes, categories=labels, ordered=True)
    return pd.Series(cat, index=pd.RangeIndex(train.n_users, name="user"), name="activity")


def warm_cold_items(train: Interactions) -> dict[str, np.ndarray]:
    """``{"warm items": mask, "cold items": mask}``: boolean masks over items (training interactions or none)."""
    warm = train.item_counts() > 0
    return {"warm items": warm, "cold items": ~warm}


def _check_segments(user_segments, n_users: int) -> pd.Series:
    if isinstance(user_segments, np.ndarray) or isinstance(user_segments, list):
        user_segments = pd.Series(user_segments)
    if not isinstance(user_segments, pd.Series):
        raise TypeError("user_segments must be a pandas Series (index = user index, value = segment label)")
    if user_segments.index.has_duplicates:
        raise ValueError("user_segments has a duplicated user index; give one label per user")
    idx = np.asarray(user_segments.index)
    if idx.dtype.kind not in "iu" or (len(idx) and (idx.min() < 0 or idx.max() >= n_users)):
        raise ValueError(f"user_segments must be indexed by user indices in [0, {n_users})")
    return user_segments


def _check_item_groups(item_groups, n_items: int) -> dict[str, np.ndarray]:
    if not isinstance(item_groups, dict):
        raise TypeError("item_groups must be a dict mapping a group name to a boolean mask over items")
    out = {}
    for name, mask in item_groups.items():
        m = np.asarray(mask)
        if m.dtype != bool or m.shape != (n_items,):
            raise ValueError(f"item group {name!r} must be a boolean mask of length n_items={n_items}, "
                             f"got dtype {m.dtype} and shape {m.shape}")
        out[name] = m
    return out


def _rows(table: pd.DataFrame, kind: str, segment: str, metrics, ci: bool, seed: int) -> list[dict]:
    rows = []
    for col in table.columns:
        name, k = col.split("@")
        if metrics is not None and name not in metrics:
            continue
        row = {"kind": kind, "segment": segment, "metric": name, "k": int(k), "n_users": len(table)}
        values = table[col].to_numpy()
        if len(values):
            row["value"] = float(values.mean())
            if ci:
                _, row["ci_low"], row["ci_high"] = bootstrap_ci(values, seed=seed)
        else:
            row["value"] = np.nan
            if ci:
                row["ci_low"] = row["ci_high"] = np.nan
        rows.append(row)
    return rows


def evaluate_segments(model: Recommender, train: Interactions, test: Interactions, user_segments=None,
                      item_groups=None, ks=(10,), metrics=None, relevance_threshold: float | None = None,
                      ci: bool = False, seed: int = 0) -> pd.DataFrame:
    """Metrics of a fitted model overall, per item group and per user segment: one tidy DataFrame.

    Parameters
    ----------
    user_segments : Series indexed by user index with a label per user
        (default: :func:`activity_buckets` of ``train``); ``False`` skips user segments.
    item_groups : dict of boolean item masks (default: :func:`warm_cold_items`); ``False`` skips them.
    metrics : names to keep (e.g. ``("Recall", "NDCG")``); default all of :func:`per_user_metrics`.
    ci : add a 95% bootstrap interval over the segment's users.

    Columns: ``kind`` ("all", "items", "users"), ``segment``, ``metric``, ``k``,
    ``value`` (mean over the segment's evaluated users), ``n_users`` (and
    ``ci_low``, ``ci_high``). A group with no relevant test interaction gets
    ``value = NaN`` and ``n_users = 0``.
    """
    ks = tuple(sorted({check_k(k) for k in np.atleast_1d(ks)}))
    groups = seg = None  # validate the segment definitions before any model is scored
    if item_groups is not False:
        groups = _check_item_groups(warm_cold_items(train) if item_groups is None else item_groups, test.n_items)
    if user_segments is not False:
        seg = _check_segments(activity_buckets(train) if user_segments is None else user_segments, test.n_users)
    overall = per_user_metrics(model, train, test, ks=ks, relevance_threshold=relevance_threshold)
    rows = _rows(overall, "all", "all", metrics, ci, seed)
    if groups is not None:
        for name, mask in groups.items():
            part = test.subset(mask[test.items])
            if len(part) and relevant_matrix(part, relevance_threshold).nnz:
                table = per_user_metrics(model, train, part, ks=ks, relevance_threshold=relevance_threshold)
            else:
                table = overall.iloc[:0]
            rows += _rows(table, "items", name, metrics, ci, seed)
    if seg is not None:
        labels = seg.reindex(overall.index)
        order = seg.cat.categories if isinstance(seg.dtype, pd.CategoricalDtype) else pd.unique(seg.dropna())
        for label in order:
            rows += _rows(overall[(labels == label).to_numpy()], "users", str(label), metrics, ci, seed)
    return pd.DataFrame(rows)


def paired_by_segment(a: pd.Series, b: pd.Series, segments: pd.Series, seed: int = 0,
                      level: float = 0.95) -> pd.DataFrame:
    """Per segment, :func:`~hybridrec_ref.eval.paired_test` of per-user metrics ``a`` vs ``b``.

    ``a`` and ``b`` are per-user values indexed by user (e.g. a column of
    :func:`per_user_metrics` for two models on the same test set); ``segments``
    labels users (e.g. :func:`activity_buckets`). One row per segment (in the
    categorical order if ``segments`` is categorical) with ``n``, ``mean_a``,
    ``mean_b``, ``diff`` (a - b), ``ci_low``, ``ci_high`` (bootstrap interval
    at ``level``), ``t_pvalue`` and ``wilcoxon_pvalue``; segments without users
    are left out.
    """
    if not (isinstance(a, pd.Series) and isinstance(b, pd.Series)):
        raise TypeError("a and b must be pandas Series indexed by user")
    if not a.index.equals(b.index) and set(a.index) != set(b.index):
        raise ValueError("a and b must cover the same users (pair each user's value for the two models)")
    if len(a) == 0:
        raise ValueError("a and b are empty: no user to compare")
    if not isinstance(segments, pd.Series):
        raise TypeError("segments must be a pandas Series (index = user index, value = segment label)")
    b = b.loc[a.index]
    seg = _check_segments(segments, int(max(a.index.max(), segments.index.max())) + 1)
    missing = ~a.index.isin(seg.index)
    if missing.any():
        raise ValueError(f"{int(missing.sum())} user(s) of a have no segment label")
    labels = seg.loc[a.index].to_numpy()
    order = seg.cat.categories if isinstance(seg.dtype, pd.CategoricalDtype) else pd.unique(seg.dropna())
    rows = {}
    for label in order:
        pick = labels == label
        if pick.sum() == 0:
            continue
        rows[str(label)] = paired_test(a.to_numpy()[pick], b.to_numpy()[pick], level=level, seed=seed)
    out = pd.DataFrame(rows).T
    out.index.name = segments.name or "segment"
    return out[["n", "mean_a", "mean_b", "diff", "ci_low", "ci_high", "t_pvalue", "wilcoxon_pvalue"]]
