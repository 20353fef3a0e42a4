"""Microsoft Recommenders' ML-100k ranking protocol, for a table beside theirs (chapter 13, :ref:`sec-tuning-peer`).

Their benchmark (``examples/06_benchmarks/movielens.ipynb``, run of July
2025) splits MovieLens-100k with ``python_stratified_split(ratio=0.75,
filter_by="item", seed=42)`` (our :func:`~hybridrec_ref.data.stratified_split`),
recommends to every training user the top 10 of the *training items* they
have not rated, and scores every test rating as relevant (binary gains):

- ``NDCG@10`` with natural-log discounts (the ratio DCG/IDCG does not depend on
  the base) and IDCG over ``min(|relevant|, 10)`` items, averaged over the users
  with a test rating;
- ``Precision@10`` = hits / 10 and ``Recall@10`` = hits / |relevant|, averaged
  over the users present in both train and test.

Two differences from the book's own protocol (:mod:`.protocol`): items with no
training rating are never recommended (they cannot be, by a CF model), and
users are averaged as above. :data:`PUBLISHED` holds their published rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..base import Recommender, check_k, mask_seen
from ..data.interactions import Interactions
from .metrics import topk_metrics

#: Published ML-100k rows (top-10), from the run that produced their benchmark table:
#: https://github.com/recommenders-team/recommenders/blob/main/examples/06_benchmarks/movielens.ipynb
PUBLISHED = pd.DataFrame(
    {"NDCG@10": [0.444991, 0.468673, 0.416371, 0.393819],
     "Precision@10": [0.388653, 0.408165, 0.359173, 0.340615],
     "Recall@10": [0.216555, 0.220898, 0.195985, 0.185377]},
    index=pd.Index(["BPR (cornac)", "BiVAE (cornac)", "LightGCN", "SAR"], name="model"))

#: cornac BPR's parameters in that benchmark (their SEED is 42)
PUBLISHED_BPR_PARAMS = {"k": 200, "max_iter": 200, "learning_rate": 0.01, "lambda_reg": 1e-3, "seed": 42}


def peer_topk(model: Recommender, train: Interactions, users: np.ndarray, k: int = 10,
              batch_size: int = 1024) -> np.ndarray:
    """Top-``k`` training items per user, each user's training items removed (their ``remove_seen``)."""
    untrained = torch.as_tensor(train.item_counts() == 0)
    out = []
    for s in range(0, len(users), batch_size):
        u = users[s:s + batch_size]
        scores = model.score(u).float().cpu().clone()
        scores[:, untrained] = -torch.inf
        mask_seen(scores, model.seen_, u)
        out.append(torch.topk(scores, k, dim=1).indices.numpy())
    return np.concatenate(out) if out else np.zeros((0, k), dtype=np.int64)


def peer_metrics(model: Recommender, train: Interactions, test: Interactions, k: int = 10) -> dict:
    """``{"NDCG@k", "Precision@k", "Recall@k"}`` of a model fitted on ``train``, by their definitions."""
    k = check_k(k)
    if getattr(model, "n_items_", None) != train.n_items:
        raise ValueError("the model is not fitted on this index space; call model.fit(train) first")
    in_train = train.user_counts() > 0
    users = np.flatnonzero((test.user_counts() > 0) & in_train)
    if len(users) == 0:
        raise ValueError("no user has both training and test ratings")
    m = topk_metrics(peer_topk(model, train, users, k), test.to_csr("ones"), users)
    return {f"NDCG@{k}": float(m["NDCG"].mean()), f"Precision@{k}": float(m["Precision"].mean()),
            f"Recall@{k}": float(m["Recall"].mean())}
