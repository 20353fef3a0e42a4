"""Cross-entropy and perplexity (hybridrec_ref.lm.evaluate) on a hand-computed case."""

import math

import numpy as np
import pytest

from hybridrec_ref.lm import LSTMLM, NGramLM, cross_entropy, perplexity, token_nll


class FixedLM:
    """A hand-made LM: P(next) depends only on the previous token, from a fixed table."""

    def __init__(self):
        # vocab 0..5; rows: previous token, columns: next token
        self.table = np.full((6, 6), 0.05)
        self.table[2] = [0, 0, 0, 0.1, 0.6, 0.3]    # after <bos>: a=4 (0.6), b=5 (0.3), <eos> (0.1)
        self.table[4] = [0, 0, 0, 0.5, 0.25, 0.25]  # after a
        self.table[5] = [0, 0, 0, 0.8, 0.2, 0.0]    # after b

    def token_log_probs(self, sentences, last_n=None):
        out = []
        for s in sentences:
            lp = [math.log(self.table[s[t - 1], s[t]]) for t in range(1, len(s))]
            out.extend(lp if last_n is None else lp[-last_n:])
        return np.array(out)


def test_perplexity_is_exp_of_mean_nll_hand_computed():
    sents = [np.array([2, 4, 5, 3]), np.array([2, 5, 3])]
    # predicted tokens: a|bos 0.6, b|a 0.25, eos|b 0.8, b|bos 0.3, eos|b 0.8
    probs = [0.6, 0.25, 0.8, 0.3, 0.8]
    nll = -np.log(probs)
    np.testing.assert_allclose(token_nll(FixedLM(), sents), nll)
    assert cross_entropy(FixedLM(), sents) == pytest.approx(nll.mean())
    assert perplexity(FixedLM(), sents) == pytest.approx(math.exp(nll.mean()))
    assert perplexity(FixedLM(), sents) == pytest.approx(np.prod(probs) ** (-1 / 5))  # geometric-mean form
    # last_n=1 scores only each sentence's final token
    assert cross_entropy(FixedLM(), sents, last_n=1) == pytest.approx(-np.log(0.8))


def test_same_function_for_all_models():
    sents = [np.array([2, 4, 5, 3]), np.array([2, 5, 3])]
    for lm in (NGramLM(2).fit(sents, 6), LSTMLM(6, d_model=8)):
        lp = lm.token_log_probs(sents)
        assert perplexity(lm, sents) == pytest.approx(math.exp(-lp.mean()))


def test_bad_input():
    with pytest.raises(TypeError, match="not a language model"):
        perplexity(object(), [np.array([2, 4])])
    with pytest.raises(ValueError, match="no sentences"):
        perplexity(FixedLM(), [])
    with pytest.raises(ValueError, match="last_n"):
        perplexity(FixedLM(), [np.array([2, 4])], last_n=0)
