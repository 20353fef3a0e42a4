"""Deep recommenders (hybridrec_ref.deep): shapes, causality, learning, seeding, bad input."""

import numpy as np
import pytest
import torch

from hybridrec_ref.data import Interactions, leave_last_out
from hybridrec_ref.deep import NCF, Caser, GRU4Rec, SASRec
from hybridrec_ref.deep.ncf import NeuMFNet

SEQ_MODELS = [SASRec, GRU4Rec, Caser]
FAST = dict(n_factors=16, max_len=8, batch_size=64, device="cpu", dropout=0.0)


def cyclic(n_users=40, n_items=12, length=10, seed=0):
    """Each user walks the items in a fixed cycle from a random start: the next item is fully predictable."""
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n_items, n_users)
    users = np.repeat(np.arange(n_users), length)
    items = (starts[:, None] + np.arange(length)[None]) % n_items
    ts = np.tile(np.arange(length) * 100, n_users)
    return Interactions(users, items.ravel(), n_users, n_items, timestamps=ts)


@pytest.mark.parametrize("cls", SEQ_MODELS)
def test_learns_a_trivially_predictable_sequence(cls):
    train, test = leave_last_out(cyclic(n_users=30), seed=0)
    model = cls(n_epochs=15, lr=2e-2, **FAST).fit(train)
    top1 = model.recommend(np.arange(train.n_users), k=1)[:, 0]
    truth = test.items[np.argsort(test.users)]
    assert (top1 == truth).mean() > 0.9
    assert model.history_["loss"].iloc[-1] < model.history_["loss"].iloc[0]


@pytest.mark.parametrize("cls", SEQ_MODELS)
def test_states_are_causal(cls):
    model = cls(n_epochs=1, **FAST).fit(cyclic())
    net = model.net_.eval()
    seq = torch.randint(1, 13, (3, 8))
    changed = seq.clone()
    changed[:, 5:] = torch.randint(1, 13, (3, 3))
    users = torch.arange(3)
    with torch.no_grad():
        a, b = net(seq, users), net(changed, users)
    assert a.shape == (3, 8, 16)
    torch.testing.assert_close(a[:, :5], b[:, :5])  # the past does not see the future
    assert not torch.allclose(a[:, 5:], b[:, 5:])


@pytest.mark.parametrize("cls", SEQ_MODELS)
def test_scores_shape_seeding_validation_curve_and_set_history(cls):
    data = cyclic()
    train, valid, test = leave_last_out(data, validation=True, seed=0)
    m1 = cls(n_epochs=2, seed=3, **FAST).fit(train, valid=valid)
    m2 = cls(n_epochs=2, seed=3, **FAST).fit(train, valid=valid)
    s = m1.score(np.arange(5))
    assert s.shape == (5, data.n_items)
    torch.testing.assert_close(s, m2.score(np.arange(5)))  # same seed, same model
    assert list(m1.history_.index) == [1, 2] and "valid_HitRate@10" in m1.history_.columns
    full_train, _ = leave_last_out(data, seed=0)
    m1.set_history(full_train)
    assert m1.seen_.nnz == len(full_train)
    assert not torch.allclose(s, m1.score(np.arange(5)))  # reading one more item changes the scores


@pytest.mark.parametrize("cls", SEQ_MODELS)
def test_bad_input(cls):
    with pytest.raises(ValueError, match="max_len"):
        cls(max_len=0)
    with pytest.raises(ValueError, match="dropout"):
        cls(dropout=1.0)
    with pytest.raises(ValueError, match="timestamps"):
        cls(**FAST).fit(Interactions([0, 0, 1], [0, 1, 2], 2, 3))
    with pytest.raises(ValueError, match="index space"):
        cls(**FAST).fit(cyclic(), valid=cyclic(n_users=5))


def test_model_specific_bad_input():
    with pytest.raises(ValueError, match="divisible"):
        SASRec(n_factors=10, n_heads=3)
    with pytest.raises(ValueError, match="window"):
        Caser(window=10, max_len=5)
    with pytest.raises(ValueError, match="n_layers"):
        GRU4Rec(n_layers=0)
    with pytest.raises(ValueError, match="kind"):
        NCF(kind="deep")
    with pytest.raises(ValueError, match="even first size"):
        NCF(layers=(63, 16))
    with pytest.raises(ValueError, match="n_neg"):
        NCF(n_negatives=0)


@pytest.mark.parametrize("kind", ["neumf", "gmf", "mlp"])
def test_ncf_full_ranking_equals_pairwise_forward(kind):
    torch.manual_seed(0)
    net = NeuMFNet(7, 9, kind, 4, (8, 6, 3), 0.0).eval()
    for p in net.parameters():  # move away from the tiny init so differences would show
        torch.nn.init.normal_(p)
    u = torch.tensor([0, 3, 6])
    full = net.score_all(u)
    pairs = net(u.repeat_interleave(9), torch.arange(9).repeat(3)).reshape(3, 9)
    torch.testing.assert_close(full, pairs, rtol=1e-5, atol=1e-5)


def test_ncf_learns_block_structure():
    """Two user groups, each with its own half of the catalogue: held-out items come from the right half."""
    rng = np.random.default_rng(0)
    users, items = [], []
    for u in range(60):
        block = np.arange(10) + (10 if u % 2 else 0)
        chosen = rng.choice(block, 6, replace=False)
        users += [u] * 6
        items += chosen.tolist()
    data = Interactions(users, items, 60, 20)
    model = NCF(n_factors=8, layers=(16, 8), n_epochs=15, lr=2e-2, batch_size=512, device="cpu").fit(data)
    top = model.recommend(np.arange(60), k=4)
    same_block = (top >= 10) == (np.arange(60) % 2 == 1)[:, None]
    assert same_block.mean() > 0.95
    assert model.history_["loss"].iloc[-1] < model.history_["loss"].iloc[0]
    assert model.score([0, 1]).shape == (2, 20)


@pytest.mark.parametrize("cls", SEQ_MODELS + [NCF])
def test_constructor_lists_every_parameter_so_clone_works(cls):
    m = cls(n_epochs=3, seed=7, n_factors=16)
    c = m.clone()
    assert type(c) is cls and c is not m and c.get_params() == m.get_params()
    assert c.get_params()["n_epochs"] == 3 and not hasattr(c, "net_")
