"""Neighbourhood collaborative filtering: user-kNN and item-kNN (chapter 3, ``ch-cf``, "Neighbourhood methods").

Two uses, one class per direction (:class:`UserKNN`, :class:`ItemKNN`):

``feedback="explicit"`` (rating prediction, like Surprise's ``KNNBasic`` /
``KNNBaseline``)
    Similarities are computed over *co-rated* entries only, exactly as
    Surprise does: cosine ``sum r_a r_b / sqrt(sum r_a^2 sum r_b^2)`` and
    Pearson (centred on the means of the co-rated entries), both 0 below
    ``min_support`` co-ratings. To predict ``r_ui`` (item-based), take the
    ``k`` items most similar to ``i`` *among those ``u`` rated*, keep those
    with a positive similarity and average their ratings weighted by
    similarity; with fewer than ``min_k`` such neighbours the prediction
    falls back to the global mean. With ``baseline=True`` the average is over
    residuals ``r_uj - b_uj`` of a :class:`~hybridrec_ref.cf.baselines.BiasBaseline`
    and added back to ``b_ui`` (``KNNBaseline``). Scores for ranking are the
    predicted ratings.

``feedback="implicit"`` (top-N ranking from "who interacted with what")
    Similarities between the full binary columns (cosine, or Pearson = the phi
    coefficient); each item (user) keeps its ``k`` most similar neighbours
    with positive similarity, and the score is
    ``score(u, i) = sum_{j in N_k(i), j seen by u} s_ij`` (item-based) or
    ``sum_{v in N_k(u)} s_uv x_vi`` (user-based), as in Deshpande & Karypis
    (2004) and the ``implicit`` library's ``ItemItemRecommender``.

``shrinkage`` multiplies a similarity by ``(n - 1) / (n - 1 + shrinkage)``
where ``n`` is the number of co-ratings (Koren 2010), damping similarities
supported by few users. The similarity functions live in :mod:`.similarity`.
Explicit mode keeps the dense ``n x n`` co-rated similarity (a prediction may
need any pair) and predicts with batched dense torch algebra, on CPU or GPU.
Implicit mode never builds that matrix: the similarity is computed block by
block and only each entity's ``k`` neighbours are kept, in a sparse matrix,
so memory grows with ``n k`` and the interactions, as in ``implicit``.
"""

from __future__ import annotations

import numpy as np
import torch
from tqdm.auto import tqdm

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device
from .baselines import BiasBaseline
from .similarity import SIMILARITIES, binary_neighbours, binary_similarity, corated_similarity
from ..validation import check_choice, check_int, check_nonnegative

FEEDBACKS = ("explicit", "implicit")


class _KNN(Recommender):
    user_based: bool = True

    def __init__(self, k: int = 40, similarity: str = "cosine", feedback: str = "explicit", shrinkage: float = 0.0,
                 min_k: int = 1, min_support: int = 1, baseline: bool = False, batch_size: int = 2048,
                 device: str = "auto", verbose: bool = False):
        self.k, self.similarity = check_int("k", k), check_choice("similarity", similarity, SIMILARITIES)
        self.feedback = check_choice("feedback", feedback, FEEDBACKS)   # explicit: rating prediction; implicit: ranking
        self.shrinkage = check_nonnegative("shrinkage", shrinkage)
        self.min_k, self.min_support = check_int("min_k", min_k, minimum=0), check_int("min_support", min_support, minimum=0)
        if baseline and feedback == "implicit":
            raise ValueError("baseline=True corrects explicit ratings; use feedback='explicit' with it")
        self.baseline, self.batch_size = bool(baseline), check_int("batch_size", batch_size)
        self.device, self.verbose = device, verbose

    @property
    def predicts_ratings(self) -> bool:  # explicit mode predicts ratings, implicit mode only ranks
        return self.feedback == "explicit"

    # ------------------------------------------------------------------ fit
    def _fit(self, train: Interactions) -> None:
        dev = self.device_ = resolve_device(self.device)
        if self.feedback == "implicit":
            Xs = train.to_csr("ones").astype(np.float32)    # (n_users, n_items), kept sparse
            cols = Xs.T.tocsr() if self.user_based else Xs   # columns = the entities compared
            W = binary_neighbours(cols, self.k, self.similarity, self.shrinkage, dev)
            self.columns_ = cols
            self.neighbours_ = W                             # sparse; row e: weights of e's k neighbours
            self.X_ = Xs
            self._right = Xs if self.user_based else W.T.tocsr()   # score = left[u] @ right
            return
        if train.ratings is None:
            raise ValueError(f"{type(self).__name__}(feedback='explicit') needs ratings; "
                             "use feedback='implicit' for interactions without ratings")
        Rs = train.to_csr("ratings", dtype=np.float64)
        Bs = train.to_csr("ones", dtype=np.float64)
        self.mu_ = float(train.ratings.mean())
        self.rating_range_ = (float(train.ratings.min()), float(train.ratings.max()))
        if self.baseline:
            bsl = self.baseline_ = BiasBaseline(device=dev).fit(train)
            self.bu_ = bsl.user_bias_.double()
            self.bi_ = bsl.item_bias_.double()
        Rc = Rs.T.tocsr() if self.user_based else Rs        # rows = the other side, columns = entities
        Bc = Bs.T.tocsr() if self.user_based else Bs
        sim, _ = corated_similarity(Rc, Bc, self.similarity, self.min_support, self.shrinkage, dev)
        self._corated = sim.float()
        self.R_ = torch.as_tensor(Rs.toarray(), dtype=torch.float32, device=dev)
        self.B_ = torch.as_tensor(Bs.toarray() > 0, device=dev)

    @property
    def similarity_(self) -> torch.Tensor:
        """The dense ``(n, n)`` similarity between the entities compared (users or items), float32.

        Explicit mode keeps it from the fit (predictions need every pair); implicit mode keeps only
        the ``k`` neighbours (``neighbours_``, sparse) and computes this matrix when asked.
        """
        if self.feedback == "explicit":
            return self._corated
        return binary_similarity(self.columns_, self.similarity, self.shrinkage, self.device_).float()

    # -------------------------------------------------------------- predict
    def _predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        out = np.empty(len(users), dtype=np.float32)
        starts = range(0, len(users), self.batch_size)
        for s in tqdm(starts, disable=not self.verbose, desc=f"{type(self).__name__} predict"):
            u = torch.as_tensor(users[s:s + self.batch_size], device=self.device_)
            i = torch.as_tensor(items[s:s + self.batch_size], device=self.device_)
            out[s:s + self.batch_size] = self._predict_batch(u, i).cpu().numpy()
        return out

    def _predict_batch(self, u: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
        # candidates: the entities of the compared kind that rated the pair's "other" side
        if self.user_based:                 # neighbours of u among users who rated i
            sims, mask = self._corated[u], self.B_[:, i].T
            ratings = self.R_[:, i].T
        else:                               # neighbours of i among items u rated
            sims, mask = self._corated[i], self.B_[u]
            ratings = self.R_[u]
        k = min(self.k, sims.shape[1])
        top = torch.topk(torch.where(mask, sims, torch.full_like(sims, -torch.inf)), k, dim=1)
        s = top.values
        r = ratings.gather(1, top.indices).double()
        if self.baseline:
            if self.user_based:   # baseline of neighbour v on item i
                r = r - (self.mu_ + self.bu_[top.indices] + self.bi_[i][:, None])
            else:                 # baseline of user u on neighbour item j
                r = r - (self.mu_ + self.bu_[u][:, None] + self.bi_[top.indices])
        pos = (s > 0) & torch.isfinite(s)
        s = torch.where(pos, s, torch.zeros_like(s)).double()
        sum_sim = s.sum(1)
        weighted = (s * torch.where(pos, r, torch.zeros_like(r))).sum(1)
        enough = (pos.sum(1) >= self.min_k) & (sum_sim > 0)
        avg = weighted / torch.where(sum_sim > 0, sum_sim, torch.ones_like(sum_sim))
        if self.baseline:
            base = self.mu_ + self.bu_[u] + self.bi_[i]
            pred = base + torch.where(enough, avg, torch.zeros_like(avg))
        else:
            pred = torch.where(enough, avg, torch.full_like(avg, self.mu_))
        return pred.clamp(*self.rating_range_).float()

    # ---------------------------------------------------------------- score
    def _score(self, users: np.ndarray) -> torch.Tensor:
        u = torch.as_tensor(users, device=self.device_)
        if self.feedback == "implicit":    # user-based: sum_v s_uv x_v; item-based: sum_{j seen} W[i, j]
            left = self.neighbours_ if self.user_based else self.X_
            return torch.as_tensor((left[users] @ self._right).toarray(), device=self.device_)
        # explicit: predicted rating for every (user, item) pair, in batches of pairs
        n_items = self.n_items_
        uu = np.repeat(users, n_items)
        ii = np.tile(np.arange(n_items), len(users))
        return torch.as_tensor(self._predict(uu, ii), device=self.device_).reshape(len(users), n_items)


class UserKNN(_KNN):
    """User-based neighbourhood CF (see the module docstring; chapter 3, "Neighbourhood methods").

    Parameters: ``k`` neighbours, ``similarity`` ("cosine" or "pearson"),
    ``feedback`` ("explicit" ratings or "implicit" ranking), ``shrinkage``,
    ``min_k`` (fewer positive neighbours -> fall back to the mean / baseline),
    ``min_support`` (fewer co-ratings -> similarity 0), ``baseline``
    (KNNBaseline-style residuals), ``batch_size`` (pairs per batch),
    ``device``, ``verbose``.
    """

    user_based = True


class ItemKNN(_KNN):
    """Item-based neighbourhood CF (see the module docstring; chapter 3, "Neighbourhood methods").

    Same parameters as :class:`UserKNN`; neighbours are items. ``similarity_``
    holds the item-item matrix, so ``similarity_[i].topk(10)`` lists the ten
    items most similar to item ``i``.
    """

    user_based = False
