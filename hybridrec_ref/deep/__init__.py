"""Deep recommenders (chapter 5): NCF for user-item matrices, Caser / GRU4Rec / SASRec for sequences.

All are :class:`~hybridrec_ref.base.Recommender` s in torch (``device="auto"``,
``seed``, ``verbose``). The three sequential models share one batching and
training loop (:mod:`.sequential`) and rank all items.
"""

from .caser import Caser
from .gru4rec import GRU4Rec
from .ncf import NCF
from .sasrec import SASRec
from .sequential import (SequentialRecommender, last_items, next_item_metrics, sampled_next_item_metrics,
                         user_histories)

__all__ = ["NCF", "Caser", "GRU4Rec", "SASRec", "SequentialRecommender", "user_histories", "last_items",
           "next_item_metrics", "sampled_next_item_metrics"]
