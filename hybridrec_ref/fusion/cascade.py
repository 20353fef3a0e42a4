"""Cascade hybrid: one model proposes candidates, another orders them (chapter 6).

Burke's *cascade*: the ``first`` model (cheap, high recall: CF) keeps each
user's ``n_candidates`` best items; the ``second`` model (a language-model
signal, say) re-ranks only those. Items outside the candidate set score
``-inf``. With ``blend < 1`` the re-ranking score is
``blend * second + (1 - blend) * first`` on per-user standardised scores, so
the second model refines rather than overrules. This is also the shape of
production systems: retrieval, then ranking.
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender, clone, mask_seen
from ..data.interactions import Interactions
from ..validation import check_frac, check_int
from .weighted import normalise_rows


class CascadeHybrid(Recommender):
    """Top-``n_candidates`` of ``first`` (training items excluded), re-ranked by ``second``."""

    def __init__(self, first: Recommender, second: Recommender, n_candidates: int = 100, blend: float = 1.0):
        check_int("n_candidates", n_candidates)
        check_frac("blend", blend, closed="both")
        self.first, self.second, self.n_candidates, self.blend = first, second, n_candidates, blend

    def _fit(self, train: Interactions) -> None:
        self.first_ = clone(self.first).fit(train)
        self.second_ = clone(self.second).fit(train)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        first = self.first_.score(users).float().cpu()
        n = min(self.n_candidates, first.shape[1])
        masked = mask_seen(first.clone(), self.seen_, users)
        candidates = torch.sort(masked, dim=1, descending=True, stable=True).indices[:, :n]  # ties: lower index
        score = (self.blend * normalise_rows(self.second_.score(users).float().cpu())
                 + (1 - self.blend) * normalise_rows(first))
        # a training item is never a candidate, even when a user has fewer than n unseen items
        keep = torch.where(torch.isfinite(masked.gather(1, candidates)), score.gather(1, candidates), -torch.inf)
        out = torch.full_like(score, -torch.inf)
        out.scatter_(1, candidates, keep)
        return out
