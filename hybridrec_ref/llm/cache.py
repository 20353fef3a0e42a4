"""A verified on-disk cache of LLM scores (chapter 10, {ref}`sec-llm-costs`).

Scoring prompts is the slow step of this chapter, and rebuilding the book
scores the same prompts again. :class:`ScoreCache` reuses the embedding
cache's machinery (:class:`~hybridrec_ref.content.cache.EmbeddingCache`): one
file per (identity, prompts), named by a SHA-256 of the model identity (the
model file's own SHA-256 for the default model), the scoring parameters and the
prompts in order; atomic writes; a file whose key, shape or checksum does not
match is reported, deleted and recomputed. A fine-tuned model must pass an
identity that names its training (sample hash, steps, seed): the identity is
the caller's promise that equal identities give equal scores.
"""

from __future__ import annotations

import json
import os
from typing import Callable, Sequence

import numpy as np

from ..content.cache import EmbeddingCache
from ..validation import check_texts


def score_identity(model_id: str, **params) -> str:
    """One string naming the model and every parameter that changes a score (sorted, JSON-encoded)."""
    if not isinstance(model_id, str) or not model_id:
        raise ValueError(f"model_id must be a non-empty string, got {model_id!r}")
    return f"{model_id}|{json.dumps(params, sort_keys=True, default=str)}"


class ScoreCache:
    """Cache of one score per prompt, keyed by ``(identity, prompts)``; ``directory=None`` disables it."""

    def __init__(self, directory: str | os.PathLike | None):
        self.directory = directory
        self._store = None if directory is None else EmbeddingCache(directory)
        self.hits = self.misses = 0

    def get_or_compute(self, identity: str, prompts: Sequence[str],
                       compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Cached scores of ``prompts`` under ``identity``, or ``compute(prompts)`` stored and returned."""
        prompts = check_texts(prompts, "prompts")

        def as_column(texts):
            s = np.asarray(compute(texts), dtype=np.float64).reshape(-1)
            if s.shape != (len(texts),):
                raise ValueError(f"compute returned {s.size} scores for {len(texts)} prompts")
            self.misses += 1
            return s.reshape(-1, 1).astype(np.float32)

        if self._store is None:
            return as_column(prompts)[:, 0].astype(np.float64)
        before = self.misses
        out = self._store.get_or_compute(identity, prompts, as_column)[:, 0].astype(np.float64)
        self.hits += self.misses == before
        return out

    def path(self, identity: str, prompts: Sequence[str]):
        """Where the scores of ``(identity, prompts)`` are (or would be) stored."""
        if self._store is None:
            raise ValueError("the cache is disabled (directory=None)")
        return self._store.path(identity, list(prompts))
