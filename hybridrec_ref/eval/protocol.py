"""The evaluation protocol used throughout the book (chapters 1 and 9).

:func:`evaluate` scores one fitted model against held-out interactions:

1. the evaluated users are those with at least one *relevant* test
   interaction (every test interaction by default; ``relevance_threshold``
   keeps ratings >= the threshold);
2. each user's items seen in training are excluded, every other item is
   ranked (full ranking, no sampled negatives);
3. ranking metrics (:mod:`.metrics`) at each ``k``, catalogue coverage and
   novelty (and intra-list diversity if ``item_vectors`` are given);
   RMSE and MAE on all test pairs for rating models.

Everything is computed in batches of users with matrix operations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..base import Recommender, check_k
from ..validation import check_int
from ..data.interactions import Interactions
from .beyond import catalogue_coverage, intra_list_diversity, novelty
from .metrics import RANKING_METRICS, mae, rmse, topk_metrics
from .stats import bootstrap_ci


def relevant_matrix(test: Interactions, relevance_threshold: float | None = None, graded: bool = False):
    """Sparse ``n_users x n_items`` relevance of the test interactions."""
    if len(test) == 0:
        raise ValueError("the test set is empty: nothing to evaluate")
    keep = np.ones(len(test), dtype=bool)
    if relevance_threshold is not None:
        if test.ratings is None:
            raise ValueError("relevance_threshold needs ratings in the test set")
        keep = test.ratings >= relevance_threshold
    part = test.subset(keep)
    truth = part.to_csr("ratings" if graded else "ones") if len(part) else sp.csr_matrix((test.n_users, test.n_items))
    truth.eliminate_zeros()
    return truth


def _ranking(model, users, kmax, batch_size):
    return np.concatenate([model.recommend(users[s:s + batch_size], kmax)
                           for s in range(0, len(users), batch_size)]) if len(users) else np.zeros((0, kmax), int)


def per_user_metrics(model: Recommender, train: Interactions, test: Interactions, ks=(10,),
                     relevance_threshold: float | None = None, graded: bool = False, item_vectors=None,
                     batch_size: int = 1024) -> pd.DataFrame:
    """One row per evaluated user (index = user index), one column per ``metric@k``."""
    ks = sorted({check_k(k) for k in np.atleast_1d(ks)})
    batch_size = check_int("batch_size", batch_size)
    if (train.n_users, train.n_items) != (test.n_users, test.n_items):
        raise ValueError("train and test live in different index spaces; split one Interactions object")
    if getattr(model, "n_items_", None) != test.n_items:
        raise ValueError("the model is not fitted on this index space; call model.fit(train) first")
    truth = relevant_matrix(test, relevance_threshold, graded)
    users = np.flatnonzero(np.diff(truth.indptr))
    if len(users) == 0:
        raise ValueError("no test interaction is relevant; lower relevance_threshold")
    topk = _ranking(model, users, max(ks), batch_size)
    cols = {}
    for k in ks:
        for name, values in topk_metrics(topk[:, :k], truth, users, graded=graded).items():
            cols[f"{name}@{k}"] = values
        cols[f"Novelty@{k}"] = novelty(topk[:, :k], train)
        if item_vectors is not None and k >= 2:
            cols[f"ILD@{k}"] = intra_list_diversity(topk[:, :k], item_vectors)
    out = pd.DataFrame(cols, index=pd.Index(users, name="user"))
    out.attrs["topk"] = topk
    return out


def evaluate(model: Recommender, train: Interactions, test: Interactions, ks=(10,),
             relevance_threshold: float | None = None, graded: bool = False, item_vectors=None,
             per_user: bool = False, ci: bool = False, seed: int = 0, batch_size: int = 1024) -> pd.DataFrame:
    """Evaluate a fitted model; a tidy DataFrame with columns ``metric, k, value``.

    With ``ci=True`` two more columns give a 95% bootstrap interval over users
    (per-user metrics only). With ``per_user=True`` the per-user table of
    :func:`per_user_metrics` is returned instead (for paired tests).
    """
    table = per_user_metrics(model, train, test, ks, relevance_threshold, graded, item_vectors, batch_size)
    if per_user:
        return table
    rows = []
    for col in table.columns:
        name, k = col.split("@")
        row = {"metric": name, "k": int(k), "value": float(table[col].mean())}
        if ci:
            _, row["ci_low"], row["ci_high"] = bootstrap_ci(table[col].to_numpy(), seed=seed)
        rows.append(row)
    topk = table.attrs["topk"]
    for k in sorted({int(c.split("@")[1]) for c in table.columns}):
        rows.append({"metric": "Coverage", "k": k, "value": catalogue_coverage(topk[:, :k], test.n_items)})
    if model.predicts_ratings and test.ratings is not None:
        pred = model.predict(test.users, test.items)
        rows.append({"metric": "RMSE", "k": None, "value": rmse(pred, test.ratings)})
        rows.append({"metric": "MAE", "k": None, "value": mae(pred, test.ratings)})
    df = pd.DataFrame(rows)
    df["k"] = df["k"].astype("Int64")  # cut-off; <NA> for RMSE and MAE
    order = {m: i for i, m in enumerate(RANKING_METRICS + ("Novelty", "ILD", "Coverage", "RMSE", "MAE"))}
    return df.sort_values(["k", "metric"], key=lambda s: s.map(order) if s.name == "metric" else s,
                          na_position="last").reset_index(drop=True)


def compare(models: dict, train: Interactions, test: Interactions, ks=(10,), metrics=("Precision", "Recall", "NDCG"),
            ci: bool = True, **kwargs) -> pd.DataFrame:
    """One row per fitted model, one column per ``metric@k`` (plus ``[low, high]`` intervals if ``ci``)."""
    rows = {}
    for name, model in models.items():
        df = evaluate(model, train, test, ks=ks, ci=ci, **kwargs)
        df = df[df.metric.isin(metrics)]
        row = {}
        for r in df.itertuples():
            key = r.metric if pd.isna(r.k) else f"{r.metric}@{r.k}"
            row[key] = r.value
            if ci and hasattr(r, "ci_low") and not pd.isna(r.ci_low):
                row[f"{key} CI"] = f"[{r.ci_low:.3f}, {r.ci_high:.3f}]"
        rows[name] = row
    return pd.DataFrame(rows).T


def with_ci(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Merge each ``metric`` column of :func:`compare` with its ``metric CI`` column: ``"0.225 [0.213, 0.236]"``."""
    out = {}
    for col in table.columns:
        if col.endswith(" CI"):
            continue
        values = table[col].map(lambda v: f"{v:.{digits}f}")
        if f"{col} CI" in table:
            values = values + " " + table[f"{col} CI"]
        out[col] = values
    return pd.DataFrame(out, index=table.index)
