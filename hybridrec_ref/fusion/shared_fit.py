"""One fit per training set for every copy of an expert (chapter 8, ``ch-multimodal``).

Fusion models fit their experts twice (on an inner split to learn the
weights, then on all of the training data). :class:`SharedFit` lets late and
gated fusion over the same experts share those fits through one
:class:`FitCache`.
"""

from __future__ import annotations

import numpy as np
import torch

from ..base import Recommender, clone
from ..data.interactions import Interactions
from ..hashing import content_hash


class FitCache:
    """Fitted models keyed by the content of (model hyper-parameters, training data).

    A cache is a *shared* resource: copying it (``copy.deepcopy``, and so
    :func:`~hybridrec_ref.base.clone` of a model that holds it) returns the same
    cache, which is what lets every copy of a :class:`SharedFit` find the others' fits.
    """

    def __init__(self):
        self._fits: dict[str, Recommender] = {}

    def __deepcopy__(self, memo):
        return self

    def __len__(self) -> int:
        return len(self._fits)

    def __repr__(self) -> str:
        return f"FitCache({len(self)} fits)"

    def fitted(self, model: Recommender, train: Interactions) -> Recommender:
        """A fitted clone of ``model`` on ``train``, fitted now only if no equal model was fitted on equal data."""
        key = content_hash(model, train)
        if key not in self._fits:
            self._fits[key] = clone(model).fit(train)
        return self._fits[key]


class SharedFit(Recommender):
    """Wrap an expert so that every copy of it shares one fit per training set.

    Fusion models copy their experts and fit them twice (on an inner split to
    learn the weights, then on all of ``train``). Comparing late and gated
    fusion over the same experts would fit each expert four times; wrapped in
    ``SharedFit`` with one :class:`FitCache`, the copies look up a fit of the same
    model (class and every hyper-parameter, arrays by content) on the same data
    (every index, rating and timestamp) and only fit what is new. One cache can
    serve several experts. Without a cache (``cache=None``) it simply fits a clone.
    """

    def __init__(self, model: Recommender, cache: FitCache | None = None):
        if not isinstance(model, Recommender):
            raise TypeError(f"SharedFit wraps a Recommender, got {type(model).__name__}")
        if cache is not None and not isinstance(cache, FitCache):
            raise TypeError(f"cache must be a FitCache (shared by every copy), got {type(cache).__name__}")
        self.model, self.cache = model, cache

    def _fit(self, train: Interactions) -> None:
        self.fitted_ = clone(self.model).fit(train) if self.cache is None else self.cache.fitted(self.model, train)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.fitted_.score(users)
