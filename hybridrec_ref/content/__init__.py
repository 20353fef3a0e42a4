"""Content-based recommendation (chapter 4): item text -> vectors -> user profiles.

- :class:`TfidfEncoder`: TF-IDF bag-of-words vectors of item text;
- :class:`TextEncoder`: transformer sentence embeddings (all-MiniLM-L6-v2 by
  default, loaded offline), with an on-disk :class:`EmbeddingCache`;
- :class:`ContentRecommender`: mean / rating- / recency-weighted user
  profiles scored by cosine; works for items nobody has rated;
- :func:`nearest_items`: an item's neighbours by content;
- :class:`RestrictedRecommender`: rank among a candidate set (cold items only).
"""

from .cache import CacheCorruptionWarning, EmbeddingCache, texts_hash
from .cold import RestrictedRecommender
from .encoder import TextEncoder, default_cache_dir, default_model_path, mean_pool
from .profile import WEIGHTINGS, ContentRecommender, l2_normalize, nearest_items
from .tfidf import TfidfEncoder, tfidf_terms

__all__ = ["TfidfEncoder", "tfidf_terms", "TextEncoder", "default_model_path", "default_cache_dir", "mean_pool",
           "EmbeddingCache", "CacheCorruptionWarning", "texts_hash", "ContentRecommender", "WEIGHTINGS",
           "l2_normalize", "nearest_items", "RestrictedRecommender"]
