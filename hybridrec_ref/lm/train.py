"""Training the neural language models of chapter 2 (``ch-lm``) with the package's one training loop.

:func:`train_lm` (on :func:`hybridrec_ref.train.train_epochs`) minimises next-token cross-entropy with AdamW, clips the
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

import hashlib
import inspect
import io
import math
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F

from ..data.fetch import atomic_write_bytes
from ..perf.device import resolve_device, seed_everything
from ..train import train_epochs
from ..validation import check_choice, check_int, check_positive
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
             n_epochs: int = 20, batch_size: int = 64, lr: float = 3e-3, weight_decay: float = 0.01,
             clip: float = 1.0, warmup: int = 50, schedule: str = "cosine", patience: int = 3,
             valid_last_n: int | None = None, device: str = "auto", seed: int = 42,
             verbose: bool = True) -> pd.DataFrame:
    """Train ``model`` on id sentences with :func:`hybridrec_ref.train.train_epochs`; return the history.

    Parameters
    ----------
    train, valid : lists of id arrays starting with ``<bos>``.
    valid_last_n : score only the last ``valid_last_n`` tokens of each
        validation sentence (next-item validation) instead of all of them.
    schedule : ``"cosine"``, ``"linear"`` or ``"constant"`` after ``warmup`` steps.
    patience : stop after this many epochs without a better validation loss;
        the best weights are restored at the end.

    Returns a DataFrame indexed by ``epoch`` with columns ``train_loss, lr, valid_loss, seconds``
    (no ``valid_loss`` without ``valid``), and sets ``model.history_``.
    """
    if not isinstance(model, NeuralLM):
        raise TypeError(f"train_lm trains the neural LMs of hybridrec_ref.lm.neural, got {type(model).__name__}")
    n_epochs, batch_size = check_int("n_epochs", n_epochs), check_int("batch_size", batch_size)
    schedule = check_choice("schedule", schedule, ("cosine", "linear", "constant"))
    lr, clip = check_positive("lr", lr), check_positive("clip", clip)
    patience, warmup = check_int("patience", patience), check_int("warmup", warmup, minimum=0)
    train = [np.asarray(s, dtype=np.int64) for s in train if len(s) >= 2]
    if not train:
        raise ValueError("no training sentence has a token to predict (each needs <bos> plus at least one token)")
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    dev = resolve_device(device)
    model.to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    total = n_epochs * math.ceil(len(train) / batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, total, warmup, schedule))

    def batches(epoch):
        order = rng.permutation(len(train))
        batch_seqs = _windows([train[i] for i in order], model.max_context, rng)
        for b in range(0, len(batch_seqs), batch_size):
            x, _ = pad_batch(batch_seqs[b:b + batch_size], dev)
            logits = model(x[:, :-1])
            target = x[:, 1:]
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=PAD_ID)
            yield loss, int((target != PAD_ID).sum())

    validate = None if valid is None else (lambda epoch: {"valid_loss": cross_entropy(model, valid,
                                                                                      last_n=valid_last_n)})
    history = train_epochs(model.parameters(), opt, batches, n_epochs=n_epochs, module=model, validate=validate,
                           monitor="valid_loss", mode="min", patience=patience if valid is not None else None,
                           clip=clip, scheduler=sched, log=lambda epoch: {"lr": opt.param_groups[0]["lr"]},
                           loss_name="train_loss", desc=type(model).__name__, verbose=verbose)
    model.eval()
    model.history_ = history
    return history


_CKPT_MAGIC = b"HYBRIDREC-CHECKPOINT sha256="


def save_checkpoint(model: NeuralLM, path: str | Path) -> Path:
    """Save ``{"model": class name, "config": constructor args, "state_dict": weights}`` to ``path``.

    The file is one header line with the SHA-256 of the ``torch.save`` payload that follows;
    it is written to a temporary file and renamed, so a failed save leaves the previous
    checkpoint intact, and :func:`load_checkpoint` refuses a file whose bytes changed.
    """
    if not isinstance(model, NeuralLM):
        raise TypeError(f"save_checkpoint saves the neural LMs of hybridrec_ref.lm.neural, got {type(model).__name__}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    buf = io.BytesIO()
    torch.save({"model": type(model).__name__, "config": dict(model.config), "state_dict": state}, buf)
    payload = buf.getvalue()
    atomic_write_bytes(path, _CKPT_MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    return path


def load_checkpoint(path: str | Path, device: str = "auto") -> NeuralLM:
    """Rebuild the model saved by :func:`save_checkpoint` (``torch.load(weights_only=True)``)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}; save one with save_checkpoint(model, path)")
    raw = path.read_bytes()
    header, _, payload = raw.partition(b"\n")
    if not header.startswith(_CKPT_MAGIC):
        raise ValueError(f"{path} is not a hybridrec_ref.lm checkpoint (no checksum header); save it with save_checkpoint")
    if hashlib.sha256(payload).hexdigest().encode() != header[len(_CKPT_MAGIC):]:
        raise ValueError(f"{path} is damaged: its SHA-256 does not match the one recorded when it was saved")
    ckpt = torch.load(io.BytesIO(payload), map_location="cpu", weights_only=True)
    if not isinstance(ckpt, dict) or ckpt.get("model") not in MODELS:
        raise ValueError(f"{path} is not a hybridrec_ref.lm checkpoint (expected keys model/config/state_dict)")
    cls = MODELS[ckpt["model"]]
    known = set(inspect.signature(cls.__init__).parameters) - {"self"}
    unknown = sorted(set(ckpt["config"]) - known)
    if unknown:
        raise ValueError(f"{path}: the config holds keys {unknown} that {cls.__name__} does not take "
                         f"(it takes {sorted(known)}); the checkpoint is from another version")
    model = cls(**ckpt["config"])
    model.load_state_dict(ckpt["state_dict"])
    return model.to(resolve_device(device)).eval()
