"""The statistical language model of chapter 2: interpolated Kneser-Ney n-grams.

``P(w | h)`` for a context ``h`` of the last ``n-1`` tokens is (Chen &
Goodman 1999, interpolated Kneser-Ney with one discount per order)::

    P_k(w | h) = max(c_k(h, w) - D_k, 0) / c_k(h)  +  D_k * N1+(h .) / c_k(h) * P_{k-1}(w | h')

where ``h'`` drops the oldest token of ``h``. At the highest order ``c`` is
the raw count; at lower orders it is the *continuation count* (the number of
distinct tokens seen just before ``h w``), which is what makes Kneser-Ney
better than plain backoff: "Francisco" is frequent but follows only "San".
The recursion ends at the uniform distribution ``1/V``, so every
conditional distribution sums to one over the vocabulary (tested) and no
token ever gets probability zero. Contexts never seen fall through to the
next lower order. ``D_k = n1 / (n1 + 2 n2)`` from the count-of-counts.

Everything is vectorised over a batch of contexts: each order keeps a sparse
matrix of discounted probabilities (one row per context seen) and a vector of
back-off weights, so :meth:`next_log_probs` is a few sparse row gathers.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import numpy as np
import scipy.sparse as sp
import torch

from ..validation import check_int
from .vocab import BOS_ID


class NGramLM:
    """Interpolated Kneser-Ney language model of order ``n`` over token ids.

    Sentences are lists of id arrays starting with ``<bos>`` (as produced by
    :mod:`hybridrec_ref.lm.vocab`); they are left-padded to ``n-1`` ``<bos>``
    so every token has a full context (``<bos>`` itself is never predicted).
    """

    def __init__(self, n: int = 3):
        self.n = check_int("n (the order)", n)

    # ---------------------------------------------------------------- fit
    def fit(self, sentences: Sequence[np.ndarray], vocab_size: int) -> "NGramLM":
        """Count n-grams of all orders and build the smoothed tables; returns ``self``."""
        check_int("vocab_size", vocab_size, minimum=2)
        sentences = _check_sentences(sentences, vocab_size)
        n, self.vocab_size_ = self.n, int(vocab_size)
        grams = Counter()  # highest-order n-gram counts
        for s in sentences:
            p = self._pad(s)  # every window of length n is (context, target)
            grams.update(zip(*(p[j:len(p) - n + 1 + j].tolist() for j in range(n))))
        # counts per order k (k = n: raw counts; k < n: continuation counts)
        counts = {n: grams}
        for k in range(n - 1, 0, -1):
            cont = Counter(g[1:] for g in counts[k + 1])  # distinct left neighbours of each k-gram
            counts[k] = cont
        self.discounts_, self.tables_ = {}, {}
        for k in range(1, n + 1):
            cnt = np.fromiter(counts[k].values(), dtype=np.float64, count=len(counts[k]))
            n1, n2 = (cnt == 1).sum(), (cnt == 2).sum()
            d = n1 / (n1 + 2 * n2) if n1 + n2 > 0 else 0.5
            d = float(min(max(d, 0.05), 0.95))
            self.discounts_[k] = d
            ctx_index: dict[tuple, int] = {}
            rows = np.fromiter((ctx_index.setdefault(g[:-1], len(ctx_index)) for g in counts[k]),
                               dtype=np.int64, count=len(cnt))
            cols = np.fromiter((g[-1] for g in counts[k]), dtype=np.int64, count=len(cnt))
            total = np.bincount(rows, weights=cnt, minlength=len(ctx_index))
            types = np.bincount(rows, minlength=len(ctx_index)).astype(np.float64)
            disc = sp.csr_matrix(((cnt - d) / total[rows], (rows, cols)),
                                 shape=(len(ctx_index), self.vocab_size_))
            self.tables_[k] = (ctx_index, disc, d * types / total)
        return self

    def _pad(self, s: np.ndarray) -> np.ndarray:
        """``n-1`` ``<bos>`` then the sentence's tokens after its ``<bos>``."""
        return np.concatenate([np.full(self.n - 1, BOS_ID, dtype=np.int64), s[1:]])

    def _rows(self, contexts: np.ndarray, k: int) -> np.ndarray:
        """Row of each length-(k-1) context suffix in the order-k table, -1 if unseen."""
        index = self.tables_[k][0]
        if k == 1:
            return np.zeros(len(contexts), dtype=np.int64) if index else np.full(len(contexts), -1)
        suffix = contexts[:, contexts.shape[1] - (k - 1):]
        return np.fromiter((index.get(tuple(c), -1) for c in suffix.tolist()), dtype=np.int64,
                           count=len(contexts))

    def _contexts(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
        """(B, n-1) array: the last n-1 tokens of each prefix, left-padded with ``<bos>``."""
        m = self.n - 1
        out = np.full((len(prefixes), m), BOS_ID, dtype=np.int64)
        if m:
            for b, p in enumerate(prefixes):
                tail = np.asarray(p, dtype=np.int64)[-m:]
                if len(tail):
                    out[b, m - len(tail):] = tail
        return out

    # ------------------------------------------------------------ queries
    def next_distribution(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
        """``(B, V)`` array: ``P(next token | prefix)`` for each prefix; rows sum to 1."""
        self._check_fitted()
        ctx = self._contexts(prefixes)
        p = np.full((len(ctx), self.vocab_size_), 1.0 / self.vocab_size_)
        for k in range(1, self.n + 1):
            _, disc, gamma = self.tables_[k]
            rows = self._rows(ctx, k)
            seen = rows >= 0
            if seen.any():
                r = rows[seen]
                p[seen] = gamma[r][:, None] * p[seen] + disc[r].toarray()
        return p

    def next_log_probs(self, prefixes: Sequence[np.ndarray]) -> torch.Tensor:
        """``(B, V)`` tensor of log-probabilities of the next token (the interface all LMs share)."""
        return torch.from_numpy(np.log(self.next_distribution(prefixes))).float()

    def prob(self, context: Sequence[int], token: int) -> float:
        """``P(token | context)`` for one context (a sequence of token ids)."""
        self._check_fitted()
        if not 0 <= int(token) < self.vocab_size_:
            raise ValueError(f"token {token} is outside the vocabulary [0, {self.vocab_size_})")
        return float(self._token_probs(self._contexts([np.asarray(context)]), np.array([int(token)]))[0])

    def _token_probs(self, ctx: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        p = np.full(len(tokens), 1.0 / self.vocab_size_)
        for k in range(1, self.n + 1):
            _, disc, gamma = self.tables_[k]
            rows = self._rows(ctx, k)
            seen = rows >= 0
            if seen.any():
                r = rows[seen]
                p[seen] = gamma[r] * p[seen] + np.asarray(disc[r, tokens[seen]]).ravel()
        return p

    def token_log_probs(self, sentences: Sequence[np.ndarray], last_n: int | None = None) -> np.ndarray:
        """Log-probability of every token after ``<bos>`` (or of the last ``last_n``), concatenated."""
        self._check_fitted()
        sentences = _check_sentences(sentences, self.vocab_size_)
        ctxs, toks = [], []
        m = self.n - 1
        for s in sentences:
            p = self._pad(s)
            targets = np.arange(1, len(s)) if last_n is None else np.arange(max(1, len(s) - last_n), len(s))
            pos = targets - 1 + m  # index of the target in the padded array p (s[0] dropped, m pads)
            toks.append(p[pos])
            ctxs.append(np.stack([p[pos - m + j] for j in range(m)], axis=1) if m else np.zeros((len(pos), 0), np.int64))
        ctx, tok = np.concatenate(ctxs), np.concatenate(toks)
        return np.log(self._token_probs(ctx, tok))

    def _check_fitted(self):
        if not hasattr(self, "tables_"):
            raise RuntimeError("NGramLM is not fitted yet; call fit(sentences, vocab_size) first")

    def __repr__(self) -> str:
        return f"NGramLM(n={self.n})"


def _check_sentences(sentences, vocab_size: int) -> list[np.ndarray]:
    if len(sentences) == 0:
        raise ValueError("no sentences given")
    out = []
    for s in sentences:
        s = np.asarray(s, dtype=np.int64)
        if s.ndim != 1 or len(s) < 1:
            raise ValueError("each sentence must be a non-empty 1-D array of token ids")
        if s[0] != BOS_ID:
            raise ValueError("each sentence must start with <bos> (id 2); build them with Vocabulary.encode "
                             "or item_sentences")
        if s.min() < 0 or s.max() >= vocab_size:
            raise ValueError(f"token ids must lie in [0, {vocab_size}), got [{s.min()}, {s.max()}]")
        out.append(s)
    return out
