"""Collaborative filtering (chapter 3); the two baselines are introduced in chapter 1.

Neighbourhood models (:class:`UserKNN`, :class:`ItemKNN`) over the similarities of
:mod:`hybridrec_ref.cf.similarity`, explicit matrix
factorisation (:class:`MatrixFactorization`), BPR, implicit ALS and EASE. Factor
models expose ``user_factors_`` and ``item_factors_`` (chapter 6 maps text into that
space). Wrappers around peer libraries live in :mod:`hybridrec_ref.cf.peers`.
"""

from .als import ALS
from .baselines import BiasBaseline, MostPopular
from .bpr import BPR
from .ease import EASE
from .knn import ItemKNN, UserKNN
from .mf import MatrixFactorization
from .similarity import binary_similarity, corated_similarity
from .social import SocialMF

__all__ = ["MostPopular", "BiasBaseline", "UserKNN", "ItemKNN", "MatrixFactorization", "BPR", "ALS", "EASE",
           "SocialMF", "binary_similarity", "corated_similarity"]

