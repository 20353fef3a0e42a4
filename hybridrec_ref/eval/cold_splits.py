"""Models side by side on several cold-start splits (chapters 6 and 9).

A cold-start model can look good on one kind of split and fail on another:
random-cold items (:func:`~hybridrec_ref.data.splits.cold_start_split`) are a
random sample of the catalogue, while the items first rated after a cut-off
time (:func:`~hybridrec_ref.data.splits.temporal_cold_split`) are real new
releases. :func:`compare_cold_splits` scores fitted models on each split the
same way: NDCG@k over all test interactions, Recall@k on those of cold items
(every item still ranked), the share of top-k slots given to cold items, and a
paired test over users against a baseline model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.splits import ColdStartSplit
from ..validation import check_k
from .protocol import per_user_metrics
from .stats import paired_test


def compare_cold_splits(results: dict, baseline: str, k: int = 10, seed: int = 0) -> pd.DataFrame:
    """One row per (split, model): NDCG@k, cold Recall@k, cold slots and the paired test against ``baseline``.

    ``results`` maps a split name to ``(split, {model name: model fitted on split.train})``;
    every split must hold a model named ``baseline``. Columns: ``NDCG@k``, ``cold Recall@k``
    (NaN when the split has no test interaction of a cold item), ``cold slots`` (mean number of
    cold items in a top-k list), ``diff`` (NDCG@k minus the baseline's, per user, averaged),
    ``ci_low``, ``ci_high`` (bootstrap), ``p`` (Wilcoxon signed-rank) and ``n_users``.
    """
    k = check_k(k)
    rows = []
    for split_name, (split, models) in results.items():
        if not isinstance(split, ColdStartSplit):
            raise TypeError(f"results[{split_name!r}] must be (ColdStartSplit, models), got {type(split).__name__}")
        if baseline not in models:
            raise ValueError(f"split {split_name!r} has no model named {baseline!r}; it has {sorted(models)}")
        is_cold = split.test_is_cold()
        cold_test = split.test.subset(is_cold)
        tables = {name: per_user_metrics(m, split.train, split.test, ks=(k,)) for name, m in models.items()}
        base = tables[baseline][f"NDCG@{k}"].to_numpy()
        for name, model in models.items():
            table = tables[name]
            ndcg = table[f"NDCG@{k}"].to_numpy()
            cold_recall = (per_user_metrics(model, split.train, cold_test, ks=(k,))[f"Recall@{k}"].mean()
                           if len(cold_test) else np.nan)
            test = paired_test(ndcg, base, seed=seed)
            rows.append({"split": split_name, "model": name, f"NDCG@{k}": ndcg.mean(),
                         f"cold Recall@{k}": cold_recall,
                         "cold slots": np.isin(table.attrs["topk"], split.cold).sum(1).mean(),
                         "diff": test["diff"], "ci_low": test["ci_low"], "ci_high": test["ci_high"],
                         "p": test["wilcoxon_pvalue"], "n_users": len(ndcg)})
    return pd.DataFrame(rows).set_index(["split", "model"])
