"""Interpolated Kneser-Ney n-grams (hybridrec_ref.lm.ngram)."""

import numpy as np
import pytest

from hybridrec_ref.lm.ngram import NGramLM

V = 12


@pytest.fixture(scope="module")
def sentences():
    rng = np.random.default_rng(0)
    return [np.r_[2, rng.integers(4, V, size=rng.integers(1, 8)), 3] for _ in range(40)]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_conditional_distributions_sum_to_one(sentences, n):
    lm = NGramLM(n).fit(sentences, V)
    prefixes = [s[:t] for s in sentences for t in range(1, len(s))] + [np.array([2, 11, 11, 11, 5])]
    p = lm.next_distribution(prefixes)
    assert p.shape == (len(prefixes), V)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-12)
    assert (p > 0).all()  # smoothing: no token has probability zero
    # prob() agrees with the full distribution
    assert lm.prob([2, 5], 6) == pytest.approx(lm.next_distribution([np.array([2, 5])])[0, 6])


def test_token_log_probs_match_next_distribution(sentences):
    lm = NGramLM(3).fit(sentences, V)
    lp = lm.token_log_probs(sentences)
    prefixes = [s[:t] for s in sentences for t in range(1, len(s))]
    targets = [t for s in sentences for t in s[1:]]
    expected = np.log(lm.next_distribution(prefixes)[np.arange(len(targets)), targets])
    np.testing.assert_allclose(lp, expected, rtol=1e-12)
    last = lm.token_log_probs(sentences, last_n=1)
    np.testing.assert_allclose(last, [lp[np.cumsum([len(s) - 1 for s in sentences])[i] - 1]
                                      for i in range(len(sentences))])


def test_kneser_ney_hand_computed_bigram():
    # corpus: <bos> a b <eos>, <bos> a c <eos>   (a=4, b=5, c=6, V=7)
    sents = [np.array([2, 4, 5, 3]), np.array([2, 4, 6, 3])]
    lm = NGramLM(2).fit(sents, 7)
    # bigram counts: (bos,a)=2,(a,b)=1,(a,c)=1,(b,eos)=1,(c,eos)=1 -> n1=4, n2=1 -> D2 = 4/6
    d2 = 4 / 6
    # continuation counts of unigrams: a<-{bos}, b<-{a}, c<-{a}, eos<-{b,c}: all n1 except eos (2) -> D1 = 3/5
    d1 = 3 / 5
    # P1(b) = (1 - D1)/5 + D1 * 4/5 * 1/7
    p1_b = (1 - d1) / 5 + d1 * 4 / 5 / 7
    # P(b | a) = (1 - D2)/2 + D2 * 2/2 * P1(b)
    assert lm.prob([2, 4], 5) == pytest.approx((1 - d2) / 2 + d2 * p1_b)
    assert lm.discounts_ == pytest.approx({1: d1, 2: d2})


def test_unseen_context_backs_off_to_lower_order(sentences):
    lm = NGramLM(3).fit(sentences, V)
    # <pad> (0) never occurs, so the contexts (11, 0) and (bos, 0) and (0,) are all unseen: both fall
    # through to the unigram level and get the same distribution; a seen context gets a different one
    p = lm.next_distribution([np.array([2, 11, 0]), np.array([2, 0]), np.array([2, 5])])
    np.testing.assert_allclose(p[0], p[1])
    assert np.abs(p[0] - p[2]).max() > 1e-3


def test_bad_input():
    with pytest.raises(ValueError, match="order"):
        NGramLM(0)
    with pytest.raises(RuntimeError, match="not fitted"):
        NGramLM(2).next_distribution([np.array([2])])
    with pytest.raises(ValueError, match="start with <bos>"):
        NGramLM(2).fit([np.array([4, 5])], 7)
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 7\)"):
        NGramLM(2).fit([np.array([2, 9])], 7)
    with pytest.raises(ValueError, match="no sentences"):
        NGramLM(2).fit([], 7)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        NGramLM(2).fit([np.array([2, 4])], 7).prob([2], 99)
