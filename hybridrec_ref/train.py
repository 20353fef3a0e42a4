"""One training loop for every torch model of the book (chapters 2, 5, 7 and 8).

The LMs (chapter 2, ``ch-lm``), NCF and the sequential recommenders (chapter 5,
``ch-deep``), the two-tower hybrid (chapter 7, ``ch-training``), ``FeatureMF``
and the gate of ``GatedFusion`` (chapter 8, ``ch-multimodal``) and the genre
classifier differ only in how they make the loss of one mini-batch. The rest is
here, once (d2l's ``Trainer``, cornac's ``fit(train_set, val_set)``):

    for epoch in 1..n_epochs:
        for loss, weight in batches(epoch):        # the model's own sampling and loss
            zero_grad; loss.backward(); clip the gradient norm; step; scheduler step
        row = {loss: weighted mean loss, **log(epoch), **validate(epoch), seconds}
        keep the best weights by ``monitor``; stop after ``patience`` epochs without progress
    restore the best weights (early stopping only)

``batches`` is a generator: whatever a model does between two steps (drawing
negatives, freezing a parameter group, choosing a window) happens inside it,
in the order it always did, so seeded models keep their random-number stream
and give the same numbers as before the loop was shared.

MF and BPR (chapter 3, ``ch-cf``) keep their hand-written SGD: that chapter
teaches the update rules themselves.
"""

from __future__ import annotations

import copy
import math
import time
from typing import Callable, Iterable

import pandas as pd
import torch
from tqdm.auto import tqdm

from .validation import check_choice, check_int, check_positive

#: a model's mini-batches for one epoch: ``(loss tensor, weight)`` pairs (weight: examples or tokens in it)
Batches = Callable[[int], Iterable[tuple[torch.Tensor, float]]]


def train_epochs(params: Iterable[torch.Tensor], optimizer: torch.optim.Optimizer, batches: Batches, *,
                 n_epochs: int, module: torch.nn.Module | None = None,
                 validate: Callable[[int], dict] | None = None, monitor: str | None = None, mode: str = "max",
                 patience: int | None = None, clip: float | None = None, scheduler=None,
                 log: Callable[[int], dict] | None = None, loss_name: str = "loss", desc: str = "training",
                 verbose: bool = False) -> pd.DataFrame:
    """Run the loop above; return the history, one row per epoch, indexed by ``epoch`` (1-based).

    Parameters
    ----------
    params : the parameters whose gradient norm ``clip`` bounds (``None``: no clipping).
    optimizer, scheduler : the model's optimiser, and a learning-rate scheduler stepped after every batch.
    batches : ``batches(epoch)`` yields ``(loss, weight)`` per mini-batch; the loop does the update.
    module : put in training mode at the start of every epoch, and whose best ``state_dict`` is
        restored when ``patience`` stops early (needed for ``patience``).
    validate : ``validate(epoch) -> dict`` of validation metrics, added to the epoch's row.
    monitor, mode : the column early stopping watches, ``"max"`` (a ranking metric) or ``"min"`` (a loss).
    patience : stop after this many epochs without a better ``monitor`` and restore the best weights;
        ``None`` runs every epoch and keeps the last weights (the validation columns are then a learning curve).
    log : ``log(epoch) -> dict`` of extra columns (learning rate, parameter groups...), taken after the batches.
    loss_name, desc, verbose : the loss column's name; the progress bar's label; show the bar.

    Columns: ``loss_name`` (weighted mean over the epoch's batches), the ``log`` and ``validate``
    columns, and ``seconds`` (training plus validation time of the epoch).
    """
    n_epochs = check_int("n_epochs", n_epochs)
    mode = check_choice("mode", mode, ("max", "min"))
    patience = check_int("patience", patience, allow_none=True)
    clip = check_positive("clip", clip, allow_none=True)
    if patience is not None and (monitor is None or validate is None or module is None):
        raise ValueError("early stopping (patience) needs validate, the monitor column it watches and the module "
                         "whose best weights it restores")
    params = list(params) if clip is not None else []
    sign = 1.0 if mode == "max" else -1.0
    rows, best, best_state, waited = [], -math.inf, None, 0
    bar = tqdm(range(1, n_epochs + 1), desc=desc, disable=not verbose)
    for epoch in bar:
        t0 = time.time()
        if module is not None:
            module.train()
        total, weight = 0.0, 0.0
        for loss, w in batches(epoch):
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(params, clip)
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            total += float(loss.detach()) * w
            weight += w
        row = {"epoch": epoch, loss_name: total / weight if weight else math.nan}
        if log is not None:
            row.update(log(epoch))
        if validate is not None:
            row.update(validate(epoch))
        row["seconds"] = time.time() - t0
        rows.append(row)
        bar.set_postfix({k: f"{v:.4f}" for k, v in row.items() if k == loss_name or k == monitor})
        if monitor is not None and monitor in row:
            if sign * row[monitor] > best:
                best, waited = sign * row[monitor], 0
                if patience is not None:
                    best_state = copy.deepcopy(module.state_dict())
            else:
                waited += 1
            if patience is not None and waited >= patience:
                break
    if best_state is not None:
        module.load_state_dict(best_state)
    return pd.DataFrame(rows).set_index("epoch")


def best_epoch(history: pd.DataFrame, monitor: str, mode: str = "max") -> int:
    """The first epoch with the best ``monitor`` value (the epoch early stopping restores)."""
    col = history[monitor]
    return int(col.idxmax() if mode == "max" else col.idxmin())



def ranking_validator(model, train, valid, k: int = 10, prefix: str = "valid_") -> Callable[[int], dict]:
    """``validate`` for a recommender: mean NDCG@k of ``model`` on ``valid`` (training items excluded).

    Full ranking over all items, as chapter 9 (``ch-evaluation``) measures it; the column is
    ``f"{prefix}NDCG@{k}"``. ``model`` must score with its current weights (in evaluation mode).
    """
    from .eval.protocol import per_user_metrics

    def validate(epoch: int) -> dict:
        metrics = per_user_metrics(model, train, valid, ks=(k,))
        return {f"{prefix}NDCG@{k}": float(metrics[f"NDCG@{k}"].mean())}

    return validate
