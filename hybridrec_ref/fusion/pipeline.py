"""The outline's five steps as one object: preprocess -> features -> build -> train -> evaluate (chapter 6).

:class:`HybridRecommender` composes parts of the package rather than
re-implementing them:

1. ``preprocess(interactions)``: one interaction per (user, item) pair (the
   latest), ratings below ``min_rating`` dropped if it is set;
2. ``features()``: item text through a language-model encoder
   (:class:`~hybridrec_ref.content.TextEncoder`, all-MiniLM-L6-v2 by
   default), next to genre one-hots and the standardised release year;
3. ``build()``: a :class:`~hybridrec_ref.fusion.feature_augmentation.FeatureAugmentationHybrid`
   around a CF factor model (ALS by default);
4. ``train(train)``: fit (the protocol's ``fit``);
5. ``evaluate(train, test)``: :func:`hybridrec_ref.eval.evaluate`.

Each step can be called on its own to inspect what it produced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..base import Recommender
from ..data.interactions import Interactions
from ..data.text import genre_matrix
from ..eval.protocol import evaluate as evaluate_model
from ..validation import check_interactions
from .feature_augmentation import FeatureAugmentationHybrid


class HybridRecommender(Recommender):
    """LM item features + CF factors, calibrated for cold items, in five explicit steps.

    Parameters
    ----------
    items : the item table of a :class:`~hybridrec_ref.data.Dataset` (``text``, ``genres``, ``year``).
    cf_model : an unfitted factor recommender; default ``ALS(seed=seed, device=device)``.
    encoder : anything with ``encode(list[str]) -> array``; default MiniLM with the embedding cache.
    use_genres, use_year : add metadata next to the text embedding.
    min_rating : drop interactions rated below it in ``preprocess`` (``None`` keeps all).
    reg, cold_scales, cold_shifts, calibrate : passed to :class:`FeatureAugmentationHybrid`.
    """

    def __init__(self, items: pd.DataFrame, cf_model: Recommender | None = None, encoder=None,
                 use_genres: bool = True, use_year: bool = True, min_rating: float | None = None,
                 reg: float = 1.0, cold_scales=(1.0, 1.5, 2.0, 3.0), cold_shifts=(-1.0, -0.5, 0.0, 0.5),
                 calibrate: bool = True, seed: int = 42, device: str = "auto"):
        missing = {"text", "genres", "year"} - set(items.columns)
        if missing:
            raise ValueError(f"items lacks columns {sorted(missing)}; pass Dataset.items")
        self.items, self.cf_model, self.encoder = items, cf_model, encoder
        self.use_genres, self.use_year, self.min_rating = use_genres, use_year, min_rating
        self.reg, self.cold_scales, self.cold_shifts, self.seed, self.device = reg, cold_scales, cold_shifts, seed, device
        self.calibrate = calibrate

    # 1 ------------------------------------------------------------------
    def preprocess(self, interactions: Interactions) -> Interactions:
        """Keep the latest interaction per (user, item); drop low ratings if ``min_rating`` is set."""
        order = np.argsort(interactions.timestamps, kind="stable") if interactions.timestamps is not None \
            else np.arange(len(interactions))
        key = (interactions.users * interactions.n_items + interactions.items)[order]
        _, last = np.unique(key[::-1], return_index=True)
        keep = np.zeros(len(interactions), dtype=bool)
        keep[order[len(key) - 1 - last]] = True
        if self.min_rating is not None:
            if interactions.ratings is None:
                raise ValueError("min_rating needs ratings; these interactions have none")
            keep &= interactions.ratings >= self.min_rating
        return interactions.subset(keep)

    # 2 ------------------------------------------------------------------
    def features(self) -> np.ndarray:
        """Item feature matrix: text embedding, then genre one-hots and standardised year."""
        encoder = self.encoder
        if encoder is None:
            from ..content.encoder import TextEncoder, default_cache_dir

            encoder = TextEncoder(device=self.device, cache_dir=default_cache_dir())
        parts = [np.asarray(encoder.encode(self.items["text"].tolist()), dtype=np.float64)]
        if self.use_genres:
            parts.append(genre_matrix(list(self.items["genres"]))[0].astype(np.float64))
        if self.use_year:
            year = self.items["year"].to_numpy(dtype=float, na_value=np.nan)
            z = (year - np.nanmean(year)) / (np.nanstd(year) or 1.0)
            parts.append(np.nan_to_num(z)[:, None])
        return np.hstack(parts)

    # 3 ------------------------------------------------------------------
    def build(self, features: np.ndarray) -> FeatureAugmentationHybrid:
        """The model graph: a CF factor model whose cold items get text-predicted factors."""
        cf = self.cf_model
        if cf is None:
            from ..cf.als import ALS

            cf = ALS(seed=self.seed, device=self.device)
        return FeatureAugmentationHybrid(cf, features, reg=self.reg, cold_scales=self.cold_scales, cold_shifts=self.cold_shifts,
                               calibrate=self.calibrate, seed=self.seed)

    # 4 ------------------------------------------------------------------
    def train(self, train: Interactions) -> "HybridRecommender":
        """Steps 1-3 then fit; the same as :meth:`fit`."""
        return self.fit(train)

    def fit(self, train: Interactions) -> "HybridRecommender":
        return super().fit(self.preprocess(check_interactions(train)))

    def _fit(self, train: Interactions) -> None:
        if len(self.items) != train.n_items:
            raise ValueError(f"items has {len(self.items)} rows for {train.n_items} items")
        self.features_ = self.features()
        self.model_ = self.build(self.features_).fit(train)

    def _score(self, users: np.ndarray):
        return self.model_.score(users)

    # 5 ------------------------------------------------------------------
    def evaluate(self, train: Interactions, test: Interactions, **kwargs) -> pd.DataFrame:
        """:func:`hybridrec_ref.eval.evaluate` on this (fitted) model."""
        return evaluate_model(self, train, test, **kwargs)
