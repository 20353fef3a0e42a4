"""TF-IDF vectors of item text (chapter 4, "Content-based recommendation").

The classic bag-of-words representation: a document (one item's text) is a
vector over the vocabulary whose entry for term ``t`` is

    tf(t, d) * idf(t),    idf(t) = ln((1 + N) / (1 + df(t))) + 1

(the "smooth" idf scikit-learn uses by default), optionally with sub-linear
``1 + ln tf``, and each row L2-normalised so a dot product is a cosine.
Written out with scipy so every step is visible; ``tests/test_content_tfidf.py``
checks it against scikit-learn's ``TfidfVectorizer``.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ..base import NotFittedError
from ..validation import check_int, check_texts

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


def tfidf_terms(text: str) -> list[str]:
    """The TF-IDF vocabulary's terms in ``text``: lower-cased words of two or more characters.

    (The language models of chapter 2 tokenize differently, keeping punctuation:
    :func:`hybridrec_ref.lm.vocab.tokenize`.)
    """
    return _TOKEN.findall(text.lower())


class TfidfEncoder:
    """Fit a vocabulary and idf weights on item texts, then turn texts into L2-normalised sparse rows.

    Parameters
    ----------
    min_df : keep terms that occur in at least ``min_df`` documents.
    max_features : keep only the most frequent terms (by document frequency), ``None`` for all.
    sublinear_tf : use ``1 + ln(tf)`` instead of raw counts.
    stop_words : terms to drop (an iterable of lower-case words), ``None`` for none.
    """

    def __init__(self, min_df: int = 1, max_features: int | None = None, sublinear_tf: bool = False,
                 stop_words=None):
        self.min_df = check_int("min_df", min_df)
        self.max_features = check_int("max_features", max_features, allow_none=True)
        self.sublinear_tf = sublinear_tf
        self.stop_words = frozenset(stop_words or ())

    def _tokens(self, text: str) -> list[str]:
        return [t for t in tfidf_terms(text) if t not in self.stop_words]

    def fit(self, texts: Sequence[str]) -> "TfidfEncoder":
        texts = check_texts(texts)
        if not texts:
            raise ValueError("cannot fit TF-IDF on an empty list of texts")
        df = Counter(t for text in texts for t in set(self._tokens(text)))
        terms = [t for t, n in df.items() if n >= self.min_df]
        if self.max_features is not None:
            terms = sorted(terms, key=lambda t: (-df[t], t))[: self.max_features]
        if not terms:
            raise ValueError("no term survives min_df/stop_words: the vocabulary is empty; lower min_df")
        terms = sorted(terms)
        self.vocabulary_ = {t: j for j, t in enumerate(terms)}
        dfs = np.array([df[t] for t in terms], dtype=np.float64)
        self.idf_ = np.log((1 + len(texts)) / (1 + dfs)) + 1.0
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """``(len(texts), n_terms)`` CSR matrix, rows L2-normalised (all-zero rows stay zero)."""
        if not hasattr(self, "vocabulary_"):
            raise NotFittedError("TfidfEncoder is not fitted yet; call fit(texts) first")
        texts = check_texts(texts)
        rows, cols, vals = [], [], []
        for i, text in enumerate(texts):
            counts = Counter(self.vocabulary_[t] for t in self._tokens(text) if t in self.vocabulary_)
            rows.extend([i] * len(counts))
            cols.extend(counts.keys())
            vals.extend(counts.values())
        tf = sp.csr_matrix((np.asarray(vals, dtype=np.float64), (rows, cols)),
                           shape=(len(texts), len(self.vocabulary_)))
        if self.sublinear_tf:
            tf.data = 1.0 + np.log(tf.data)
        x = tf @ sp.diags(self.idf_)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        x = sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ x
        return sp.csr_matrix(x, dtype=np.float32)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        texts = check_texts(texts)
        return self.fit(texts).transform(texts)

    @property
    def terms_(self) -> list[str]:
        """Vocabulary in column order."""
        return sorted(self.vocabulary_, key=self.vocabulary_.get)
