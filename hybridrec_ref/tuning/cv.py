"""Cross-validation, nested cross-validation and the cost of tuning on the test set (chapter 13, :ref:`sec-tuning-selection`).

- :func:`cross_validate` scores one configuration on ``k`` folds: rating folds
  over all interactions as Surprise makes them (``folds="rating"``, RMSE) or
  per-user folds for ranking (``folds="user"``, NDCG@k).
- :func:`nested_cv` estimates how well a *tuned* model does: in each outer
  fold a search picks parameters on an inner split of the outer training part
  only, the winner is refitted on that whole part and scored on the outer
  test fold. Plain CV of the winning configuration, chosen on the same folds
  it is scored on, is optimistic; nested CV is not.
- :func:`selection_leakage` measures that optimism on one split: the best
  configuration *chosen on* one half of the test users leads the average
  candidate there by more than it does on the other, untouched half.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from ..data.interactions import Interactions
from ..data.splits import inner_seed, kfold, random_holdout, user_folds
from ..eval.metrics import rmse
from ..validation import check_choice, check_int
from .objectives import model_objective, validation_ndcg
from .study import search


def _folds(data: Interactions, folds: str, k: int, seed: int):
    check_choice("folds", folds, ("user", "rating"))
    return (user_folds if folds == "user" else kfold)(data, k=k, seed=seed)


def fold_score(model, train: Interactions, test: Interactions, folds: str = "user", k: int = 10) -> float:
    """NDCG@k (``folds="user"``) or RMSE (``folds="rating"``) of a model fitted on ``train``."""
    if folds == "rating":
        return rmse(model.predict(test.users, test.items), test.ratings)
    return validation_ndcg(model, test, k)


def cross_validate(build: Callable, data: Interactions, params: dict | None = None, folds: str = "user",
                   n_folds: int = 5, seed: int = 42, k: int = 10) -> pd.DataFrame:
    """One row per fold: ``fold``, ``score`` (NDCG@k for user folds, RMSE for rating folds)."""
    n_folds = check_int("n_folds", n_folds, minimum=2)
    rows = [{"fold": f, "score": fold_score(build(**(params or {})).fit(tr), tr, te, folds, k)}
            for f, (tr, te) in enumerate(_folds(data, folds, n_folds, seed))]
    return pd.DataFrame(rows)


def nested_cv(build: Callable, space: dict, data: Interactions, strategy: str = "tpe", n_trials: int = 10,
              n_folds: int = 3, valid_frac: float = 0.2, seed: int = 42, k: int = 10) -> pd.DataFrame:
    """Nested CV over per-user folds; one row per outer fold: ``fold``, the chosen parameters,
    ``inner`` (best inner validation NDCG@k) and ``outer`` (the refitted winner on the outer test fold)."""
    n_folds = check_int("n_folds", n_folds, minimum=2)
    rows = []
    for f, (outer_train, outer_test) in enumerate(user_folds(data, k=n_folds, seed=seed)):
        fit_part, valid = random_holdout(outer_train, valid_frac, seed=inner_seed(seed, f))
        table = search(model_objective(build, fit_part, valid, k), space, strategy, n_trials, seed=seed + f)
        best = table.attrs["best_params"]
        outer = validation_ndcg(build(**best).fit(outer_train), outer_test, k)
        rows.append({"fold": f, **best, "inner": table.attrs["best_value"], "outer": outer})
    return pd.DataFrame(rows)


def selection_leakage(build: Callable, candidates: list, train: Interactions, test: Interactions,
                      seed: int = 42, k: int = 10) -> dict:
    """The winner's curse of choosing on the test set, measured on one split.

    The test users are cut into two random halves, A and B. Each of
    ``candidates`` (parameter dicts) is fitted on ``train`` and scored on both.
    The candidate with the best score on A is what a paper tuned on its test
    set would report. Returns ``chosen`` (its index), ``score_A``, ``score_B``,
    the candidates' mean scores ``mean_A`` and ``mean_B``, and
    ``optimism = (score_A - mean_A) - (score_B - mean_B)``: how far the winner's
    lead over the average candidate on A exceeds its lead on B, which played no
    part in the choice. ``table`` holds every candidate's ``A`` and ``B``.
    """
    if not candidates:
        raise ValueError("give at least one candidate configuration")
    rng = np.random.default_rng(seed)
    users = np.flatnonzero(test.user_counts() > 0)
    in_a = np.zeros(test.n_users, dtype=bool)
    in_a[rng.permutation(users)[: len(users) // 2]] = True
    half_a, half_b = test.subset(in_a[test.users]), test.subset(~in_a[test.users])
    rows = []
    for i, params in enumerate(candidates):
        model = build(**params).fit(train)
        rows.append({"i": i, "A": validation_ndcg(model, half_a, k), "B": validation_ndcg(model, half_b, k)})
    table = pd.DataFrame(rows)
    win = table.loc[table.A.idxmax()]
    mean_a, mean_b = float(table.A.mean()), float(table.B.mean())
    return {"chosen": int(win.i), "score_A": float(win.A), "score_B": float(win.B), "mean_A": mean_a,
            "mean_B": mean_b, "optimism": float((win.A - mean_a) - (win.B - mean_b)), "table": table}
