"""Shared sequence batching (hybridrec_ref.deep.sequential): windows, histories, next-item metrics."""

import numpy as np
import pytest
import torch

from hybridrec_ref.data import Interactions
from hybridrec_ref.deep import last_items, next_item_metrics, user_histories


def toy(lengths=(1, 3, 7, 12), seed=0):
    rng = np.random.default_rng(seed)
    users, items, ts = [], [], []
    for u, n in enumerate(lengths):
        users += [u] * n
        items += list(rng.integers(0, 20, n))
        ts += list(rng.permutation(n) * 10)
    perm = rng.permutation(len(users))  # input order must not matter
    return Interactions(np.array(users)[perm], np.array(items)[perm], len(lengths), 20,
                        timestamps=np.array(ts)[perm])


def ordered(data, u):
    sel = data.users == u
    return (data.items[sel][np.argsort(data.timestamps[sel], kind="stable")] + 1).tolist()


@pytest.mark.parametrize("max_len", [1, 3, 5, 20])
def test_every_interaction_but_the_first_is_a_target_once_with_its_true_predecessor(max_len):
    data = toy()
    windows, win_users = user_histories(data, max_len)
    assert windows.shape[1] == max_len + 1 and len(windows) == len(win_users)
    for u in range(data.n_users):
        seq = ordered(data, u)
        pairs = []
        for w in windows[win_users == u].tolist():
            pairs += [(a, b) for a, b in zip(w[:-1], w[1:]) if a > 0 and b > 0]
        expected = list(zip(seq[:-1], seq[1:]))
        assert sorted(pairs) == sorted(expected)  # each transition exactly once
        # windows are left-padded: no real item after a padding slot
        for w in windows[win_users == u].tolist():
            nz = [i for i, x in enumerate(w) if x > 0]
            assert nz == list(range(nz[0], len(w)))


def test_last_items_are_the_latest_in_time_order():
    data = toy()
    seqs = last_items(data, 5)
    assert seqs.shape == (4, 5)
    for u in range(4):
        seq = ordered(data, u)[-5:]
        assert seqs[u].tolist() == [0] * (5 - len(seq)) + seq


def test_next_item_metrics():
    scores = torch.tensor([[0.9, 0.5, 0.1], [0.9, 0.5, 0.1], [0.9, 0.5, 0.1]])
    hit, ndcg = next_item_metrics(scores, torch.tensor([0, 1, 2]), k=2)
    np.testing.assert_allclose(hit, [1, 1, 0])
    np.testing.assert_allclose(ndcg, [1, 1 / np.log2(3), 0])


def test_needs_timestamps():
    with pytest.raises(ValueError, match="timestamps"):
        user_histories(Interactions([0, 0], [1, 2], 1, 3), 5)


def test_sampled_metrics_rank_among_negatives_only():
    import scipy.sparse as sp

    from hybridrec_ref.deep import sampled_next_item_metrics

    # 1 user, 6 items; the target (item 5) scores below items 0-3; item 0 is seen
    scores = torch.tensor([[5.0, 4.0, 3.0, 2.0, 0.0, 1.0]])
    seen = sp.csr_matrix(np.array([[1, 0, 0, 0, 0, 0]]))
    full_hit, _ = next_item_metrics(scores, torch.tensor([5]), k=2)
    hit, ndcg = sampled_next_item_metrics(scores, torch.tensor([5]), seen, np.array([0]), n_negatives=1, k=2)
    assert full_hit[0] == 0  # among all items the target is 5th
    assert hit[0] == 1  # among one sampled negative it is at worst 2nd
    hit4, _ = sampled_next_item_metrics(scores, torch.tensor([5]), seen, np.array([0]), n_negatives=4, k=3)
    assert hit4[0] == 0  # all four unseen non-target items sampled: items 1-3 beat it
