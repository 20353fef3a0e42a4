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

from ..base import Recommender, mask_seen
from ..data.interactions import Interactions
from .weighted import normalise_rows


class CascadeHybrid(Recommender):
    """Top-``n_candidates`` of ``first`` (training items excluded), re-ranked by ``second``."""

    def __init__(self, first: Recommender, second: Recommender, n_candidates: int = 100, blend: float = 1.0):
        if isinstance(n_candidates, bool) or not isinstance(n_candidates, (int, np.integer)) or n_candidates < 1:
            raise ValueError(f"n_candidates must be a positive integer, got {n_candidates!r}")
        if not 0.0 <= blend <= 1.0:
            raise ValueError(f"blend must lie in [0, 1], got {blend}")
        self.first, self.second, self.n_candidates, self.blend = first, second, int(n_candidates), float(blend)

    def _fit(self, train: Interactions) -> None:
        self.first.fit(train)
        self.second.fit(train)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        first = self.first.score(users).float().cpu()
        n = min(self.n_candidates, first.shape[1])
        candidates = torch.topk(mask_seen(first.clone(), self.seen_, users), n, dim=1).indices
        score = (self.blend * normalise_rows(self.second.score(users).float().cpu())
                 + (1 - self.blend) * normalise_rows(first))
        out = torch.full_like(score, -torch.inf)
        out.scatter_(1, candidates, score.gather(1, candidates))
        return out
