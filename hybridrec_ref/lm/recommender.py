"""Language models as next-item recommenders (chapter 2, ``ch-lm``, "Language models as next-item recommenders"; reused in chapter 8).

Each user's training history, ordered by time, is an item-id sentence
(:func:`~hybridrec_ref.lm.vocab.item_sentences`). A language model trained on
these sentences predicts the next token; restricted to item tokens, its
next-token log-probabilities *are* recommendation scores. :class:`LMRecommender`
wraps any of the three LMs in the book's :class:`~hybridrec_ref.base.Recommender`
protocol, so it is evaluated with :func:`hybridrec_ref.eval.evaluate` (full
ranking, training items excluded) like every other model.

During ``fit`` each user's last training item is held out for validation
(early stopping); the model is trained on the rest, and at scoring time it
reads the whole training history.
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device
from .ngram import NGramLM
from .neural import LSTMLM, TransformerLM
from .train import train_lm
from .vocab import N_SPECIAL, item_sentences

KINDS = ("ngram", "lstm", "transformer")


class LMRecommender(Recommender):
    """Score items by an LM's next-token distribution given the user's history.

    Parameters
    ----------
    kind : ``"ngram"``, ``"lstm"`` or ``"transformer"``.
    model_params : constructor arguments of the LM (``n`` for the n-gram;
        ``d_model``, ``max_len``, ``dropout``... for the neural models).
    train_params : arguments of :func:`~hybridrec_ref.lm.train.train_lm`
        (``n_epochs``, ``lr``, ``batch_size``, ``patience``...), neural models only.
    """

    def __init__(self, kind: str = "transformer", model_params: dict | None = None,
                 train_params: dict | None = None, device: str = "auto", seed: int = 42, verbose: bool = False):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if kind == "ngram" and train_params:
            raise ValueError("train_params apply to the neural LMs only; the n-gram model is fitted by counting")
        self.kind, self.model_params, self.train_params = kind, dict(model_params or {}), dict(train_params or {})
        self.device, self.seed, self.verbose = device, seed, verbose

    def _fit(self, train: Interactions) -> None:
        sentences = item_sentences(train)
        self.histories_ = sentences
        vocab_size = train.n_items + N_SPECIAL
        if self.kind == "ngram":
            self.lm_ = NGramLM(**self.model_params).fit([s for s in sentences if len(s) > 1], vocab_size)
            self.history_ = None
            return
        # hold out each user's last training item (users with >= 3 items) for early stopping
        has_valid = np.array([len(s) >= 4 for s in sentences])
        fit_part = [s[:-1] if v else s for s, v in zip(sentences, has_valid)]
        valid = [s for s, v in zip(sentences, has_valid) if v]
        cls = LSTMLM if self.kind == "lstm" else TransformerLM
        self.lm_ = cls(vocab_size, seed=self.seed, **self.model_params)
        self.history_ = train_lm(self.lm_, fit_part, valid or None, valid_last_n=1, device=self.device,
                                 seed=self.seed, verbose=self.verbose, **self.train_params)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        logp = self.lm_.next_log_probs([self.histories_[u] for u in users])
        device = resolve_device(self.device) if self.kind == "ngram" else self.lm_.device
        return logp[:, N_SPECIAL:].to(device)

    def test_sentences(self, test: Interactions) -> list[np.ndarray]:
        """History + each held-out item (by time) as sentences, for next-item perplexity with ``last_n``."""
        held = item_sentences(test)
        return [np.concatenate([self.histories_[u], h[1:]]) for u, h in enumerate(held) if len(h) > 1]
