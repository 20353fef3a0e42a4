"""One training loop for every neural language model of the book (chapter 2, section 2.3).

:func:`train_lm` minimises next-token cross-entropy with AdamW, clips the
gradient norm, warms the learning rate up linearly then decays it (cosine or
linear), measures the validation cross-entropy after each epoch
(:func:`~hybridrec_ref.lm.evaluate.cross_entropy`, the same number the
perplexity table reports), stops early when it has not improved for
``patience`` epochs, and restores the best weights. It returns the history as
a DataFrame (one row per epoch) for the training-curve figures.

Sentences longer than the model's context are cut into a random window each
epoch (seeded), so long histories are all used without exceeding ``max_len``.

Checkpoints are plain state dicts plus the model's constructor config,
saved with ``torch.save`` and loaded back with ``torch.load(weights_only=True)``
(no pickled code is executed on load).
"""

from __future__ import annotations

import copy
import math
import time
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F
from tqdm.auto import tqdm

from ..perf.device import resolve_device, seed_everything
from .evaluate import cross_entropy
from .neural import MODELS, NeuralLM, pad_batch
from .vocab import PAD_ID


def lr_factor(step: int, total: int, warmup: int, schedule: str) -> float:
    """Multiplier of the base learning rate at ``step``: linear warm-up, then cosine/linear decay (or constant)."""
    if step < warmup:
        return (step + 1) / warmup
    if schedule == "constant":
        return 1.0
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    if schedule == "cosine":
        return 0.5 * (1.0 + math.cos(math.pi * progress))
    return 1.0 - progress  # linear


def _windows(sentences: list[np.ndarray], max_len: int | None, rng: np.random.Generator) -> list[np.ndarray]:
    """Each sentence, or a random window of ``max_len + 1`` tokens of it (inputs + shifted targets)."""
    if max_len is None:
        return sentences
    out = []
    for s in sentences:
        if len(s) > max_len + 1:
            start = int(rng.integers(0, len(s) - max_len))
            s = s[start:start + max_len + 1]
        out.append(s)
    return out


def train_lm(model: NeuralLM, train: Sequence[np.ndarray], valid: Sequence[np.ndarray] | None = None, *,
             epochs: int = 20, batch_size: int = 64, lr: float = 3e-3, weight_decay: float = 0.01,
             clip: float = 1.0, warmup: int = 50, schedule: str = "cosine", patience: int = 3,
             valid_last_n: int | None = None, device: str = "auto", seed: int = 42,
             verbose: bool = True) -> pd.DataFrame:
    """Train ``model`` on id sentences; return the per-epoch history.

    Parameters
    ----------
    train, valid : lists of id arrays starting with ``<bos>``.
    valid_last_n : score only the last ``valid_last_n`` tokens of each
        validation sentence (next-item validation) instead of all of them.
    schedule : ``"cosine"``, ``"linear"`` or ``"constant"`` after ``warmup`` steps.
    patience : stop after this many epochs without a better validation loss;
        the best weights are restored at the end.

    Returns a DataFrame with columns ``epoch, train_loss, valid_loss, lr, seconds``
    (``valid_loss`` is NaN without ``valid``), and sets ``model.history_``.
    """
    if not isinstance(model, NeuralLM):
        raise TypeError(f"train_lm trains the neural LMs of hybridrec_ref.lm.neural, got {type(model).__name__}")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be positive, got {epochs} and {batch_size}")
    if schedule not in ("cosine", "linear", "constant"):
        raise ValueError(f"schedule must be 'cosine', 'linear' or 'constant', got {schedule!r}")
    if lr <= 0 or clip <= 0 or patience < 1 or warmup < 0:
        raise ValueError("lr and clip must be positive, patience at least 1 and warmup non-negative")
    train = [np.asarray(s, dtype=np.int64) for s in train if len(s) >= 2]
    if not train:
        raise ValueError("no training sentence has a token to predict (each needs <bos> plus at least one token)")
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    dev = resolve_device(device)
    model.to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    steps_per_epoch = math.ceil(len(train) / batch_size)
    total = epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, total, warmup, schedule))
    rows, best, best_state, bad = [], math.inf, None, 0
    bar = tqdm(range(1, epochs + 1), desc=type(model).__name__, disable=not verbose)
    for epoch in bar:
        t0 = time.time()
        model.train()
        order = rng.permutation(len(train))
        batch_seqs = _windows([train[i] for i in order], model.max_context, rng)
        loss_sum, n_tok = 0.0, 0
        for b in range(0, len(batch_seqs), batch_size):
            x, _ = pad_batch(batch_seqs[b:b + batch_size], dev)
            logits = model(x[:, :-1])
            target = x[:, 1:]
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=PAD_ID)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            sched.step()
            n = int((target != PAD_ID).sum())
            loss_sum += loss.item() * n
            n_tok += n
        row = dict(epoch=epoch, train_loss=loss_sum / n_tok, valid_loss=math.nan,
                   lr=opt.param_groups[0]["lr"], seconds=0.0)
        if valid is not None:
            row["valid_loss"] = cross_entropy(model, valid, last_n=valid_last_n)
        row["seconds"] = time.time() - t0
        rows.append(row)
        bar.set_postfix(train=f"{row['train_loss']:.3f}", valid=f"{row['valid_loss']:.3f}")
        if valid is not None:
            if row["valid_loss"] < best:
                best, best_state, bad = row["valid_loss"], copy.deepcopy(model.state_dict()), 0
            else:
                bad += 1
                if bad >= patience:
                    break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    history = pd.DataFrame(rows)
    model.history_ = history
    return history


def save_checkpoint(model: NeuralLM, path: str | Path) -> Path:
    """Save ``{"model": class name, "config": constructor args, "state_dict": weights}`` to ``path``."""
    if not isinstance(model, NeuralLM):
        raise TypeError(f"save_checkpoint saves the neural LMs of hybridrec_ref.lm.neural, got {type(model).__name__}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"model": type(model).__name__, "config": dict(model.config), "state_dict": state}, path)
    return path


def load_checkpoint(path: str | Path, device: str = "auto") -> NeuralLM:
    """Rebuild the model saved by :func:`save_checkpoint` (``torch.load(weights_only=True)``)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}; save one with save_checkpoint(model, path)")
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(ckpt, dict) or ckpt.get("model") not in MODELS:
        raise ValueError(f"{path} is not a hybridrec_ref.lm checkpoint (expected keys model/config/state_dict)")
    model = MODELS[ckpt["model"]](**ckpt["config"])
    model.load_state_dict(ckpt["state_dict"])
    return model.to(resolve_device(device)).eval()
