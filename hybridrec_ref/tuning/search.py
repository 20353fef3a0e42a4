"""Grid search of hyper-parameters on a validation split (chapters 6 and 13: ``ch-hybrid``, ``ch-tuning``).

``grid_search(build, grid, train, valid)`` fits ``build(**params)`` on
``train`` for every combination in ``grid``, scores it on ``valid`` with the
book's evaluation protocol, and returns the best parameters and the whole
table. The test set never enters: make ``train``/``valid`` by splitting the
training part again (``random_holdout`` or ``cold_start_split`` of ``train``).
"""

from __future__ import annotations

import itertools
from typing import Callable

import pandas as pd
from tqdm.auto import tqdm

from ..base import Recommender
from ..data.interactions import Interactions
from ..eval.protocol import per_user_metrics


def grid_search(build: Callable[..., Recommender], grid: dict, train: Interactions, valid: Interactions,
                metric: str = "NDCG", k: int = 10, verbose: bool = False) -> tuple[dict, pd.DataFrame]:
    """Return ``(best_params, table)``; ``table`` has one row per combination and a ``metric@k`` column."""
    if not grid:
        raise ValueError("grid is empty: give at least one parameter with candidate values")
    names = list(grid)
    for name, values in grid.items():
        if len(values) == 0:
            raise ValueError(f"grid[{name!r}] has no candidate values")
    column = f"{metric}@{k}"
    rows = []
    combos = list(itertools.product(*(grid[n] for n in names)))
    for values in tqdm(combos, disable=not verbose, desc="grid search"):
        params = dict(zip(names, values))
        model = build(**params).fit(train)
        table = per_user_metrics(model, train, valid, ks=(k,))
        if column not in table:
            raise ValueError(f"unknown metric {metric!r}; choose one of the ranking metrics")
        rows.append({**params, column: float(table[column].mean())})
    table = pd.DataFrame(rows)
    best = table.loc[table[column].idxmax(), names].to_dict()
    return best, table
