"""Temperature and top-k sampling (hybridrec_ref.lm.generate)."""

import numpy as np
import pytest
import torch

from hybridrec_ref.lm import EOS_ID, NGramLM, TransformerLM, sample


class TableLM:
    """Next-token distribution fixed, whatever the prefix: tokens 4..7 with probs .4 .3 .2 .1, never <eos>."""

    def next_log_probs(self, prefixes):
        p = torch.tensor([1e-9, 1e-9, 1e-9, 1e-9, 0.4, 0.3, 0.2, 0.1])
        return torch.log(p / p.sum()).expand(len(prefixes), -1)


def test_seeded_and_reproducible():
    a = sample(TableLM(), n=3, max_new_tokens=10, seed=1)
    b = sample(TableLM(), n=3, max_new_tokens=10, seed=1)
    c = sample(TableLM(), n=3, max_new_tokens=10, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    assert all(len(x) == 10 for x in a)


def test_top_k_and_temperature():
    draws = np.concatenate(sample(TableLM(), n=50, max_new_tokens=20, top_k=2, seed=0))
    assert set(draws.tolist()) == {4, 5}  # only the two most likely tokens
    greedy = np.concatenate(sample(TableLM(), n=5, max_new_tokens=5, top_k=1, seed=0))
    assert set(greedy.tolist()) == {4}
    cold = np.concatenate(sample(TableLM(), n=50, max_new_tokens=20, temperature=0.1, seed=0))
    hot = np.concatenate(sample(TableLM(), n=50, max_new_tokens=20, temperature=5.0, seed=0))
    assert (cold == 4).mean() > 0.95 and 0.2 < (hot == 4).mean() < 0.4  # sharp vs nearly uniform
    never = np.concatenate(sample(TableLM(), n=20, max_new_tokens=20, seed=0))
    assert not np.isin(never, [0, 1, 2, 3]).any()  # specials are not drawn


def test_stops_at_eos_and_continues_prompts():
    sents = [np.array([2, 4, 5, 3])] * 5
    lm = NGramLM(3).fit(sents, 8)
    out = sample(lm, prompts=[[2, 4]], max_new_tokens=10, top_k=1)
    assert out[0].tolist() == [5]  # greedy continuation of "<bos> a" is "b", then <eos> (dropped)
    out = sample(TransformerLM(8, d_model=8), n=2, max_new_tokens=4, seed=0)
    assert all(len(o) <= 4 and EOS_ID not in o for o in out)


def test_bad_input():
    with pytest.raises(ValueError, match="temperature"):
        sample(TableLM(), temperature=0)
    with pytest.raises(ValueError, match="top_k"):
        sample(TableLM(), top_k=0)
    with pytest.raises(ValueError, match="max_new_tokens"):
        sample(TableLM(), max_new_tokens=0)
    with pytest.raises(TypeError, match="not a language model"):
        sample(object())
