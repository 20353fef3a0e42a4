"""LSTM and Transformer LMs (hybridrec_ref.lm.neural): shapes, causality, bad input."""

import numpy as np
import pytest
import torch

from hybridrec_ref.lm.neural import LSTMLM, TransformerLM, pad_batch, sinusoidal_positions

V = 20


@pytest.mark.parametrize("positional", ["learned", "sinusoidal"])
def test_transformer_causal_mask_blocks_the_future(positional):
    model = TransformerLM(V, d_model=16, n_heads=2, n_layers=2, max_len=12, positional=positional, seed=0).eval()
    x = torch.randint(4, V, (3, 10), generator=torch.Generator().manual_seed(0))
    t = 5
    y = x.clone()
    y[:, t + 1:] = torch.randint(4, V, (3, 10 - t - 1), generator=torch.Generator().manual_seed(1))
    assert not torch.equal(x, y)
    out_x, out_y = model(x), model(y)
    # outputs up to and including t do not depend on tokens after t ...
    torch.testing.assert_close(out_x[:, :t + 1], out_y[:, :t + 1], rtol=0, atol=1e-6)
    # ... while later outputs do (so the test can fail)
    assert (out_x[:, t + 1:] - out_y[:, t + 1:]).abs().max() > 1e-3


def test_max_len_crops_the_context():
    model = LSTMLM(V, d_model=8, max_len=3, seed=0)
    long, tail = np.array([2, 5, 6, 7, 8, 9]), np.array([7, 8, 9])
    torch.testing.assert_close(model.next_log_probs([long]), model.next_log_probs([tail]))


def test_lstm_is_causal_too():
    model = LSTMLM(V, d_model=16, seed=0).eval()
    x = torch.randint(4, V, (2, 8), generator=torch.Generator().manual_seed(0))
    y = x.clone()
    y[:, 4:] = 4
    torch.testing.assert_close(model(x)[:, :4], model(y)[:, :4])


@pytest.mark.parametrize("cls", [LSTMLM, TransformerLM])
def test_shapes_and_query_interface(cls):
    model = cls(V, d_model=16, seed=0)
    x = torch.randint(0, V, (4, 7))
    assert model(x).shape == (4, 7, V)
    prefixes = [np.array([2, 5, 6]), np.array([2])]
    logp = model.next_log_probs(prefixes)
    assert logp.shape == (2, V)
    torch.testing.assert_close(logp.exp().sum(1), torch.ones(2))
    # next_log_probs of a right-padded batch equals the unpadded computation
    alone = model.next_log_probs([prefixes[1]])
    torch.testing.assert_close(logp[1:], alone, rtol=1e-5, atol=1e-5)
    sents = [np.array([2, 5, 6, 3]), np.array([2, 7, 3])]
    full = model.token_log_probs(sents)
    assert full.shape == (5,)
    last = model.token_log_probs(sents, last_n=1)
    np.testing.assert_allclose(last, full[[2, 4]], rtol=1e-5, atol=1e-6)


def test_tied_weights_and_same_seed_same_init():
    a, b = TransformerLM(V, d_model=16, seed=3), TransformerLM(V, d_model=16, seed=3)
    assert a.decoder.weight is a.embedding.weight
    for (k, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(p, q), k
    assert LSTMLM(V, tie_weights=False).decoder.weight is not LSTMLM(V, tie_weights=False).embedding.weight


def test_sinusoidal_positions_known_values():
    table = sinusoidal_positions(4, 6)
    assert table[0, 0] == 0 and table[0, 1] == 1
    assert table[1, 0] == pytest.approx(np.sin(1.0)) and table[1, 2] == pytest.approx(np.sin(1.0 / 10000 ** (2 / 6)))


def test_bad_input():
    with pytest.raises(ValueError, match="multiple of n_heads"):
        TransformerLM(V, d_model=10, n_heads=3)
    with pytest.raises(ValueError, match="positional"):
        TransformerLM(V, positional="rotary")
    with pytest.raises(ValueError, match="dropout"):
        LSTMLM(V, dropout=1.5)
    with pytest.raises(ValueError, match="max_len"):
        LSTMLM(V, max_len=0)
    model = TransformerLM(V, d_model=8, max_len=4)
    with pytest.raises(ValueError, match="exceeds max_len"):
        model(torch.zeros(1, 5, dtype=torch.long))
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 20\)"):
        model(torch.full((1, 3), 25))
    with pytest.raises(ValueError, match="batch, time"):
        model(torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="exceeds max_context"):
        model.token_log_probs([np.array([2, 5, 5, 5, 5, 5])])
    with pytest.raises(ValueError, match="<bos>"):
        model.token_log_probs([np.array([5, 5])])
    with pytest.raises(ValueError, match="empty"):
        pad_batch([np.array([], dtype=np.int64)])
