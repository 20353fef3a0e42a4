"""A discriminative text model beside the generative LMs: genre from title (chapter 2, ``ch-lm``, "A discriminative model beside the generative ones").

A language model is *generative*: it models ``P(text)`` and can write new
text. A classifier is *discriminative*: it models ``P(label | text)`` only.
:class:`GenreClassifier` predicts an item's genres (multi-label) from its
title and year alone (the genres are not in its input, otherwise the task is
trivial): bag-of-words features (word counts, log-scaled and row-normalised)
and one logistic regression per genre, trained jointly in torch by full-batch
AdamW (decoupled weight decay) on the mean binary cross-entropy, starting from
biases equal to each genre's log-odds in the training data.

:func:`classification_scores` reports

- ``top1_accuracy``: share of items whose highest-scored genre is one of theirs;
- ``macro_f1``: F1 per genre (predict a genre when its probability >= 0.5),
  averaged over genres with equal weight, so rare genres count as much as Drama;
- ``micro_f1``: F1 over all (item, genre) decisions pooled.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch.nn import functional as F

from ..perf.device import resolve_device, seed_everything
from ..train import train_epochs
from ..validation import check_int, check_nonnegative, check_positive
from .vocab import N_SPECIAL, Vocabulary


def bag_of_words(docs: Sequence[np.ndarray], vocab_size: int) -> torch.Tensor:
    """``(n_docs, vocab_size)`` features ``log1p(count)``, rows scaled to unit L2 norm (special tokens dropped)."""
    x = torch.zeros(len(docs), vocab_size)
    for d, ids in enumerate(docs):
        ids = torch.as_tensor(np.asarray(ids, dtype=np.int64))
        ids = ids[ids >= N_SPECIAL]
        x[d].index_add_(0, ids, torch.ones(len(ids)))
    x = torch.log1p(x)
    return x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)


class GenreClassifier:
    """One-vs-rest logistic regression on bag-of-words features (multi-label)."""

    def __init__(self, weight_decay: float = 1e-3, lr: float = 0.05, n_epochs: int = 300,
                 device: str = "auto", seed: int = 42):
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.lr, self.n_epochs = check_positive("lr", lr), check_int("n_epochs", n_epochs)
        self.device, self.seed = device, seed

    def fit(self, docs: Sequence[np.ndarray], y: np.ndarray, vocab: Vocabulary) -> "GenreClassifier":
        """Fit on token-id documents and a multi-hot label matrix ``y`` (one row per document)."""
        y = np.asarray(y, dtype=np.float32)
        if y.ndim != 2 or len(y) != len(docs):
            raise ValueError(f"y must be a (n_docs, n_labels) multi-hot matrix with one row per document; "
                             f"got shape {y.shape} for {len(docs)} documents")
        seed_everything(self.seed)
        self.vocab_size_, dev = len(vocab), resolve_device(self.device)
        self.device_ = dev
        x = bag_of_words(docs, self.vocab_size_).to(dev)
        t = torch.as_tensor(y, device=dev)
        self.weight_ = torch.zeros(self.vocab_size_, y.shape[1], device=dev, requires_grad=True)
        # start from the log-odds of each genre's frequency: an all-negative input predicts the prior
        prior = t.mean(0).clamp(1e-3, 1 - 1e-3)
        self.bias_ = torch.log(prior / (1 - prior)).detach().clone().requires_grad_(True)
        opt = torch.optim.AdamW([self.weight_, self.bias_], lr=self.lr, weight_decay=self.weight_decay)

        def batches(epoch):  # full batch: one step per epoch
            yield F.binary_cross_entropy_with_logits(x @ self.weight_ + self.bias_, t), 1

        self.history_ = train_epochs([self.weight_, self.bias_], opt, batches, n_epochs=self.n_epochs,
                                     desc="GenreClassifier")
        self.weight_, self.bias_ = self.weight_.detach(), self.bias_.detach()
        return self

    def predict_proba(self, docs: Sequence[np.ndarray]) -> np.ndarray:
        """``(n_docs, n_labels)`` probability of each genre."""
        if not hasattr(self, "weight_"):
            raise RuntimeError("GenreClassifier is not fitted yet; call fit(docs, y, vocab) first")
        x = bag_of_words(docs, self.vocab_size_).to(self.device_)
        return torch.sigmoid(x @ self.weight_ + self.bias_).cpu().numpy()


def classification_scores(proba: np.ndarray, y: np.ndarray, threshold: float = 0.5) -> dict:
    """``top1_accuracy``, ``macro_f1`` and ``micro_f1`` of multi-label predictions (see the module doc)."""
    proba, y = np.asarray(proba), np.asarray(y) > 0
    if proba.shape != y.shape:
        raise ValueError(f"proba and y must have the same shape, got {proba.shape} and {y.shape}")
    pred = proba >= threshold
    top1 = y[np.arange(len(y)), proba.argmax(1)].mean()
    tp, fp, fn = (pred & y).sum(0), (pred & ~y).sum(0), (~pred & y).sum(0)
    f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)
    return {"top1_accuracy": float(top1), "macro_f1": float(f1.mean()), "micro_f1": float(micro)}
