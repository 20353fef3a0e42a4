"""One search API for grid, random and Bayesian (TPE) search (chapter 13, :ref:`sec-tuning-search`).

A *space* maps parameter names to :class:`Int`, :class:`Float` or
:class:`Choice`. An *objective* is ``objective(params, report) -> float``
(higher is better): it fits whatever ``params`` describe on the training
part, scores the validation part, and may call ``report(step, value)``
after each epoch so that a pruner can stop hopeless trials early.

:func:`search` runs the same objective under any of the three strategies
with one trial budget, all through Optuna (grid: ``GridSampler``; random:
``RandomSampler``; tpe: ``TPESampler``; every sampler seeded), so the three
differ only in *which* points they try. The test set never enters a search:
give the objective an inner split of the training data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..validation import check_choice, check_int

STRATEGIES = ("grid", "random", "tpe")


@dataclass(frozen=True)
class Int:
    """An integer parameter in ``[low, high]`` (log-uniform if ``log``); ``grid`` lists the grid's points."""

    low: int
    high: int
    log: bool = False
    grid: tuple = ()

    def suggest(self, trial, name):
        return trial.suggest_int(name, self.low, self.high, log=self.log)


@dataclass(frozen=True)
class Float:
    """A real parameter in ``[low, high]`` (log-uniform if ``log``); ``grid`` lists the grid's points."""

    low: float
    high: float
    log: bool = False
    grid: tuple = ()

    def suggest(self, trial, name):
        return trial.suggest_float(name, self.low, self.high, log=self.log)


@dataclass(frozen=True)
class Choice:
    """A categorical parameter; every choice is a grid point."""

    choices: tuple

    @property
    def grid(self) -> tuple:
        return tuple(self.choices)

    def suggest(self, trial, name):
        return trial.suggest_categorical(name, list(self.choices))


def _check_space(space: dict) -> None:
    if not space:
        raise ValueError("the search space is empty: give at least one parameter")
    for name, p in space.items():
        if not isinstance(p, (Int, Float, Choice)):
            raise TypeError(f"space[{name!r}] must be Int, Float or Choice, got {type(p).__name__}")
        if isinstance(p, Choice) and len(p.choices) == 0:
            raise ValueError(f"space[{name!r}] has no choices")
        if isinstance(p, (Int, Float)):
            if not p.low <= p.high or (p.log and p.low <= 0):
                raise ValueError(f"space[{name!r}] needs low <= high (and low > 0 on a log scale)")
            if any(not p.low <= g <= p.high for g in p.grid):
                raise ValueError(f"space[{name!r}] has grid points outside [{p.low}, {p.high}]")


def grid_points(space: dict, n_trials: int) -> dict:
    """The grid: each parameter's ``grid`` values, or, where none are given, evenly spaced points
    (log-spaced on log scales), as many per parameter as fit ``n_trials`` in total."""
    free = [n for n, p in space.items() if not p.grid]
    fixed = math.prod(len(space[n].grid) for n in space if space[n].grid)
    per = max(1, int(math.floor((n_trials / max(fixed, 1)) ** (1 / len(free))))) if free else 1
    out = {}
    for name, p in space.items():
        if p.grid:
            out[name] = list(p.grid)
            continue
        pts = np.geomspace(p.low, p.high, per) if p.log else np.linspace(p.low, p.high, per)
        pts = pts if per > 1 else np.array([math.sqrt(p.low * p.high) if p.log else (p.low + p.high) / 2])
        out[name] = sorted({int(round(v)) for v in pts}) if isinstance(p, Int) else [float(v) for v in pts]
    return out


def _sampler(strategy: str, space: dict, n_trials: int, seed: int):
    import optuna

    if strategy == "grid":
        return optuna.samplers.GridSampler(grid_points(space, n_trials), seed=seed)
    if strategy == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(5, n_trials))


def search(objective: Callable, space: dict, strategy: str = "tpe", n_trials: int = 20, seed: int = 0,
           prune: bool = False, verbose: bool = False) -> pd.DataFrame:
    """Maximise ``objective`` over ``space``; one row per trial, in the order they ran.

    Columns: ``trial``, one per parameter, ``value`` (NaN for pruned trials),
    ``state`` (``"COMPLETE"``/``"PRUNED"``), ``steps`` (``report`` calls made)
    and ``best_so_far`` (the best completed value up to that trial). With
    ``prune=True`` a median pruner (Optuna's ``MedianPruner``: after 3
    complete trials, stop a trial whose reported value at a step falls
    below the median of earlier trials at that step) watches ``report``.
    The grid strategy stops early when its grid (see :func:`grid_points`)
    has fewer points than ``n_trials``. ``table.attrs["best_params"]`` holds
    the best trial's parameters.
    """
    import optuna

    check_choice("strategy", strategy, STRATEGIES)
    n_trials = check_int("n_trials", n_trials)
    _check_space(space)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0) if prune \
        else optuna.pruners.NopPruner()
    steps = {}

    def run(trial):
        params = {name: p.suggest(trial, name) for name, p in space.items()}
        steps[trial.number] = 0

        def report(step: int, value: float) -> None:
            steps[trial.number] += 1
            trial.report(float(value), int(step))
            if trial.should_prune():
                raise optuna.TrialPruned()

        value = float(objective(params, report))
        if not np.isfinite(value):
            raise ValueError(f"the objective returned {value} for {params}")
        return value

    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.INFO if verbose else optuna.logging.WARNING)
    try:
        study = optuna.create_study(direction="maximize", sampler=_sampler(strategy, space, n_trials, seed),
                                    pruner=pruner)
        study.optimize(run, n_trials=n_trials, catch=())
    finally:
        optuna.logging.set_verbosity(level)
    rows = [{"trial": t.number, **t.params, "value": t.value if t.state.name == "COMPLETE" else np.nan,
             "state": t.state.name, "steps": steps.get(t.number, 0)} for t in study.trials]
    table = pd.DataFrame(rows)
    table["best_so_far"] = table["value"].cummax().ffill()
    complete = table[table.state == "COMPLETE"]
    if len(complete) == 0:
        raise RuntimeError("no trial completed: every trial was pruned")
    table.attrs["best_params"] = {n: complete.loc[complete.value.idxmax(), n] for n in space}
    table.attrs["best_value"] = float(complete.value.max())
    return table


def best_so_far_curves(tables: dict) -> pd.DataFrame:
    """Stack ``{(strategy, seed): search table}`` into long form: ``strategy, seed, trial, best_so_far``."""
    parts = [t.assign(strategy=s, seed=seed)[["strategy", "seed", "trial", "best_so_far"]]
             for (s, seed), t in tables.items()]
    return pd.concat(parts, ignore_index=True)


__all__ = ["Int", "Float", "Choice", "search", "grid_points", "best_so_far_curves", "STRATEGIES"]
