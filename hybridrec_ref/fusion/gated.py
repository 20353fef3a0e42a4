"""Gated fusion: weights that depend on what we know about each user and item (chapter 8).

Each *expert* (a CF model, a text model, a metadata model...) gives
per-user-normalised scores ``z_m(u, i)`` (CF experts abstain on cold items,
see :func:`~hybridrec_ref.fusion.weighted.normalised_scores`). The fused score
is a mixture whose weights come from a small gate, plus a learned offset::

    w(u, i) = exp(G phi(u, i)),   score(u, i) = sum_m w_m(u, i) z_m(u, i) + beta . phi(u, i)

(positive, unnormalised weights: a cold item's content score may need to
count for more than any warm item's CF score), with context features
``phi(u, i)``:

- ``"bias"``: a constant 1. With only this feature the weights are global:
  *late fusion* with learned weights;
- ``"user_history"``: ``log(1 + n_u) / log(1 + n_max)``, the user's number of
  training interactions, scaled to [0, 1];
- ``"item_history"``: the same for the item (0 for a cold item).

With the history features the weights move with the data: a user with three
ratings leans on content, one with three hundred on CF; as interactions
arrive, ``n_u`` and ``n_i`` grow and the weights shift (*dynamic adjustment*:
:meth:`GatedFusion.update` recomputes them from a longer history without
re-learning ``G``).

The offset ``beta . phi`` calibrates: with ``"item_history"`` it learns how
much to favour items with a long history over cold ones, which no weighting
of normalised scores can express on its own.

``G`` and ``beta`` are learned on a validation split made *inside* the
training data (a cold-start split, so the gate sees cold items), with the
experts fitted on the rest; then the experts are refitted on all of
``train``. The loss is listwise: the softmax cross-entropy of each held-out
item against *all* items the user has not interacted with, so the gate learns
to put cold and warm items into one ranking (a pairwise loss against random
negatives is too easy to teach that).
"""

from __future__ import annotations


import numpy as np
import torch

from ..base import Recommender, clone
from ..data.interactions import Interactions
from ..data.splits import cold_start_split, inner_seed
from ..perf.device import seed_everything
from ..train import train_epochs
from .weighted import normalised_scores

CONTEXT_FEATURES = ("bias", "user_history", "item_history")


class GatedFusion(Recommender):
    """Mixture of experts whose weights depend on user and item history (see the module docstring).

    Parameters
    ----------
    experts : name -> unfitted recommender.
    abstain_on_cold : names of experts that know nothing about items without training interactions.
    context : which of ``"bias", "user_history", "item_history"`` the gate sees.
    n_steps, lr : full-batch Adam steps and learning rate for the gate (``history_``: the listwise
        loss per step, from :func:`hybridrec_ref.train.train_epochs`).
    valid_cold_frac, valid_test_frac : the inner cold-start split the gate is learned on.
    """

    def __init__(self, experts: dict, abstain_on_cold: tuple = (), context: tuple = CONTEXT_FEATURES,
                 normalise: str = "rank", n_steps: int = 300, lr: float = 0.05, valid_cold_frac: float = 0.2, valid_test_frac: float = 0.2,
                 seed: int = 42):
        if len(experts) < 2:
            raise ValueError("GatedFusion needs at least two experts")
        unknown = set(abstain_on_cold) - set(experts)
        if unknown:
            raise ValueError(f"abstain_on_cold names unknown experts {sorted(unknown)}")
        bad = set(context) - set(CONTEXT_FEATURES)
        if not context or bad:
            raise ValueError(f"context must be a non-empty subset of {CONTEXT_FEATURES}, got {context!r}")
        self.experts, self.abstain_on_cold, self.context = experts, tuple(abstain_on_cold), tuple(context)
        self.normalise, self.n_steps, self.lr, self.seed = normalise, int(n_steps), float(lr), seed
        self.valid_cold_frac, self.valid_test_frac = valid_cold_frac, valid_test_frac

    # ------------------------------------------------------------ context
    def _context(self, user_counts: np.ndarray, item_counts: np.ndarray, users: np.ndarray) -> torch.Tensor:
        """``(len(users), n_items, n_features)`` gate inputs."""
        nu = torch.as_tensor(np.log1p(user_counts[users]) / np.log1p(max(user_counts.max(), 1)), dtype=torch.float32)
        ni = torch.as_tensor(np.log1p(item_counts) / np.log1p(max(item_counts.max(), 1)), dtype=torch.float32)
        cols = {"bias": torch.ones(len(users), len(ni)), "user_history": nu[:, None].expand(-1, len(ni)),
                "item_history": ni[None, :].expand(len(users), -1)}
        return torch.stack([cols[c] for c in self.context], dim=-1)

    def _expert_scores(self, experts: dict, users: np.ndarray, warm: torch.Tensor) -> torch.Tensor:
        """``(n_experts, len(users), n_items)`` normalised scores."""
        return torch.stack([normalised_scores(m, users, self.normalise, warm if name in self.abstain_on_cold else None)
                            for name, m in experts.items()])

    @staticmethod
    def _mix(z: torch.Tensor, phi: torch.Tensor, gate: torch.Tensor, offset: torch.Tensor) -> torch.Tensor:
        w = torch.exp(phi @ gate.T)                        # (U, I, M)
        return (w.permute(2, 0, 1) * z).sum(0) + phi @ offset

    # ---------------------------------------------------------------- fit
    def _fit(self, train: Interactions) -> None:
        self.gate_, self.offset_ = self._learn_gate(train)
        self.experts_ = {name: clone(m).fit(train) for name, m in self.experts.items()}
        self.update(train)

    def update(self, history: Interactions) -> "GatedFusion":
        """Recompute the gate's context (history lengths) from ``history``; experts and ``G`` stay."""
        self.user_counts_, self.item_counts_ = history.user_counts(), history.item_counts()
        self.warm_items_ = torch.as_tensor(self.item_counts_ > 0)
        return self

    def _learn_gate(self, train: Interactions):
        seed_everything(self.seed)
        inner = cold_start_split(train, self.valid_cold_frac, self.valid_test_frac, seed=inner_seed(self.seed))
        experts = {name: clone(m).fit(inner.train) for name, m in self.experts.items()}
        users = np.unique(inner.test.users)
        warm = torch.as_tensor(inner.train.item_counts() > 0)
        z = self._expert_scores(experts, users, warm)
        phi = self._context(inner.train.user_counts(), inner.train.item_counts(), users)
        seen = inner.train.to_csr("ones")[users]
        r, c = seen.nonzero()
        mask = torch.zeros(len(users), train.n_items, dtype=torch.bool)
        mask[torch.as_tensor(r), torch.as_tensor(c)] = True
        row = torch.as_tensor(np.searchsorted(users, inner.test.users))
        col = torch.as_tensor(inner.test.items)
        gate = torch.zeros(len(self.experts), len(self.context), requires_grad=True)
        offset = torch.zeros(len(self.context), requires_grad=True)
        log_scale = torch.zeros((), requires_grad=True)   # temperature of the listwise softmax (training only)
        opt = torch.optim.Adam([gate, offset, log_scale], lr=self.lr)

        def batches(step):  # full batch: one step per "epoch"
            s = self._mix(z, phi, gate, offset) * log_scale.exp()
            logp = torch.log_softmax(s.masked_fill(mask, -torch.inf), dim=1)
            yield -logp[row, col].mean(), 1

        self.history_ = train_epochs([gate, offset, log_scale], opt, batches, n_epochs=self.n_steps,
                                     desc="gate", verbose=False)
        return gate.detach(), offset.detach()

    # -------------------------------------------------------------- score
    def _score(self, users: np.ndarray) -> torch.Tensor:
        z = self._expert_scores(self.experts_, users, self.warm_items_)
        return self._mix(z, self._context(self.user_counts_, self.item_counts_, users), self.gate_, self.offset_)

    def weights(self, users, items) -> dict:
        """Expert weights for (user, item) index pairs under the current history: name -> array."""
        users, items = np.asarray(users), np.asarray(items)
        phi = self._context(self.user_counts_, self.item_counts_, users)[torch.arange(len(users)),
                                                                         torch.as_tensor(items)]
        w = torch.exp(phi @ self.gate_.T).numpy()
        return {name: w[:, m] for m, name in enumerate(self.experts)}
