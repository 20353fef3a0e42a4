"""Cross-entropy and perplexity, computed the same way for every LM (chapter 2, ``ch-lm``, "Evaluation: cross-entropy and perplexity").

For the predicted tokens ``w_1..w_N`` of a corpus (every token after
``<bos>``, ``<eos>`` included; or each sentence's last ``last_n`` tokens for
next-item evaluation)::

    cross_entropy = -(1/N) * sum_t log P(w_t | w_<t)      (nats per token)
    perplexity    = exp(cross_entropy)

A perplexity of ``P`` means the model is, on average, as unsure as a uniform
choice among ``P`` tokens. All three models (:class:`~hybridrec_ref.lm.ngram.NGramLM`,
:class:`~hybridrec_ref.lm.neural.LSTMLM`, :class:`~hybridrec_ref.lm.neural.TransformerLM`)
provide ``token_log_probs(sentences, last_n)``, so the numbers are comparable.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def token_nll(model, sentences: Sequence[np.ndarray], last_n: int | None = None) -> np.ndarray:
    """Negative log-likelihood (nats) of each predicted token, concatenated over sentences."""
    if not hasattr(model, "token_log_probs"):
        raise TypeError(f"{type(model).__name__} is not a language model (it has no token_log_probs)")
    if len(sentences) == 0:
        raise ValueError("no sentences to evaluate")
    if last_n is not None and last_n < 1:
        raise ValueError(f"last_n must be at least 1, got {last_n}")
    return -np.asarray(model.token_log_probs(list(sentences), last_n=last_n), dtype=np.float64)


def cross_entropy(model, sentences: Sequence[np.ndarray], last_n: int | None = None) -> float:
    """Mean negative log-likelihood per predicted token (nats)."""
    return float(token_nll(model, sentences, last_n).mean())


def perplexity(model, sentences: Sequence[np.ndarray], last_n: int | None = None) -> float:
    """``exp(cross_entropy)``."""
    return float(np.exp(cross_entropy(model, sentences, last_n)))
