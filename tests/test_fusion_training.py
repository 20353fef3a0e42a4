"""Chapter 7: the two-tower LM + CF hybrid and its training strategies (co-training vs alternating)."""

import numpy as np
import pytest
import torch

from hybridrec_ref.data import Interactions
from hybridrec_ref.fusion.losses import bpr_loss, sampled_softmax_loss
from hybridrec_ref.fusion.training import TwoTowerHybrid, active_groups
from hybridrec_ref.fusion.two_tower import TwoTowerModule, make_adapter

N_USERS, N_ITEMS, DIM = 40, 30, 8
COLD = np.array([28, 29])  # item 28 belongs to group 0, item 29 to group 1


def group_of_item(i):
    return np.where(np.asarray(i) == 29, 1, np.asarray(i) % 2)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tiny tensors: one thread is faster, and much faster on a shared CPU (no OpenMP contention)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def planted():
    """Two taste groups: even users like even items, odd users odd items; text carries the group."""
    rng = np.random.default_rng(0)
    users, items = [], []
    for u in range(N_USERS):
        liked = [i for i in range(N_ITEMS - 2) if i % 2 == u % 2 and rng.random() < 0.7]
        users += [u] * len(liked)
        items += liked
    data = Interactions(np.array(users), np.array(items), n_users=N_USERS, n_items=N_ITEMS)
    text = rng.normal(0, 0.3, (N_ITEMS, DIM)).astype(np.float32)
    text[np.arange(N_ITEMS), group_of_item(np.arange(N_ITEMS))] += 2.0
    return data, text


def small(text, **kw):
    args = dict(n_factors=8, n_epochs=30, lr=0.05, batch_size=64, device="auto", seed=0)
    return TwoTowerHybrid(text, **(args | kw))


class Spy(TwoTowerHybrid):
    """Snapshots both parameter groups before every step, with the groups that take gradients."""

    def _batch_loss(self, module, *args):
        groups = module.groups()
        active = tuple(g for g, ps in groups.items() if all(p.requires_grad for p in ps))
        self.snaps.append((active, {g: [p.detach().clone() for p in ps] for g, ps in groups.items()}))
        return super()._batch_loss(module, *args)


def changed(before, after):
    return any(not torch.equal(a, b) for a, b in zip(before, after))


def run_spy(data, text, **kw):
    args = dict(n_factors=8, n_epochs=2, lr=0.05, batch_size=100, device="auto", seed=0)
    spy = Spy(text, **(args | kw))
    spy.snaps = []
    spy.fit(data)
    final = spy.module_.groups()
    spy.snaps.append((None, {g: [p.detach().clone() for p in ps] for g, ps in final.items()}))
    return spy


def test_shapes_history_and_recommend(planted):
    data, text = planted
    m = small(text, n_epochs=5).fit(data, valid=data)
    s = m.score(np.array([0, 3, 5]))
    assert s.shape == (3, N_ITEMS) and torch.isfinite(s).all()
    assert m.recommend(np.arange(N_USERS), k=4).shape == (N_USERS, 4)
    assert list(m.history_.index) == [1, 2, 3, 4, 5]
    assert {"loss", "groups", "valid_NDCG@10"} <= set(m.history_.columns)
    assert (m.history_["groups"] == "cf+lm").all()


def test_loss_decreases_and_model_learns_the_planted_groups(planted):
    data, text = planted
    m = small(text).fit(data)
    loss = m.history_["loss"].to_numpy()
    assert loss[-1] < 0.5 * loss[0]
    s = m.score(np.arange(N_USERS)).cpu().numpy()
    same = group_of_item(np.arange(N_ITEMS))[None, :] == (np.arange(N_USERS) % 2)[:, None]
    assert s[same].mean() > s[~same].mean() + 1.0


def test_cold_items_are_scored_from_text_alone(planted):
    data, text = planted
    m = small(text, cf_dropout=0.3).fit(data)
    assert not m.warm_[COLD].any() and m.warm_[:28].all()
    module = m.module_
    with torch.no_grad():
        expected = module.adapter(torch.as_tensor(text[COLD], device=m.device_))
    assert torch.allclose(m.item_vectors_[COLD].cpu(), expected.cpu(), atol=1e-6)
    # the untrained CF embedding of a cold item plays no part: perturbing it changes nothing
    with torch.no_grad():
        module.item[COLD] += 100.0
    m._freeze_vectors()
    assert torch.allclose(m.item_vectors_[COLD].cpu(), expected.cpu(), atol=1e-6)
    s = m.score(np.arange(N_USERS)).cpu().numpy()
    even = np.arange(N_USERS) % 2 == 0
    # each group prefers the cold item whose text matches its taste
    assert (s[even, 28] > s[even, 29]).mean() > 0.9
    assert (s[~even, 29] > s[~even, 28]).mean() > 0.9


def test_alternating_freezes_the_other_group(planted):
    data, text = planted
    spy = run_spy(data, text, strategy="alternating", switch_every=2)
    actives = [a for a, _ in spy.snaps[:-1]]
    assert actives[:4] == [("cf",), ("cf",), ("lm",), ("lm",)]
    for (active, before), (_, after) in zip(spy.snaps[:-1], spy.snaps[1:]):
        frozen = "lm" if active == ("cf",) else "cf"
        assert not changed(before[frozen], after[frozen]), f"{frozen} moved during a {active} step"
        assert changed(before[active[0]], after[active[0]])
    assert set(spy.history_["groups"]) == {"cf+lm"}  # each epoch here spans both phases


def test_alternating_by_epoch_and_phase_order(planted):
    data, text = planted
    m = small(text, n_epochs=4, strategy="alternating", phases=("lm", "cf")).fit(data)
    assert list(m.history_["groups"]) == ["lm", "cf", "lm", "cf"]
    assert active_groups("alternating", epoch=3, step=0) == ("lm",)
    assert active_groups("alternating", epoch=0, step=4, switch_every=3) == ("lm",)
    assert active_groups("alternating", epoch=0, step=7, switch_every=3) == ("cf",)
    assert active_groups("joint", epoch=5, step=9) == ("cf", "lm")


def test_joint_updates_both_groups_every_step(planted):
    data, text = planted
    spy = run_spy(data, text, strategy="joint")
    assert len(spy.snaps) > 3
    for (active, before), (_, after) in zip(spy.snaps[:-1], spy.snaps[1:]):
        assert active == ("cf", "lm")
        assert changed(before["cf"], after["cf"]) and changed(before["lm"], after["lm"])


def test_seeding_is_reproducible(planted):
    data, text = planted
    a = small(text, n_epochs=3, seed=7).fit(data).score(np.arange(5))
    b = small(text, n_epochs=3, seed=7).fit(data).score(np.arange(5))
    c = small(text, n_epochs=3, seed=8).fit(data).score(np.arange(5))
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)


def test_softmax_loss_and_mlp_adapter(planted):
    data, text = planted
    m = small(text, loss="softmax", n_negatives=8, adapter="mlp", hidden=16, n_epochs=20).fit(data)
    loss = m.history_["loss"].to_numpy()
    assert loss[-1] < 0.7 * loss[0]
    assert isinstance(m.module_.adapter, torch.nn.Sequential)


def test_loss_functions_match_their_formulas():
    pos, neg = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 1.0])
    expected = -(torch.log(torch.sigmoid(torch.tensor(1.0))) + torch.log(torch.sigmoid(torch.tensor(-1.0)))) / 2
    assert bpr_loss(pos, neg).item() == pytest.approx(expected.item(), rel=1e-6)
    negs = torch.tensor([[0.5, 3.0], [1.0, -1.0]])
    mask = torch.tensor([[False, True], [False, False]])
    got = sampled_softmax_loss(pos, negs, mask).item()
    want = ((np.log(np.exp(2) + np.exp(0.5)) - 2) + (np.log(1 + np.exp(1) + np.exp(-1)) - 0)) / 2
    assert got == pytest.approx(want, rel=1e-6)


def test_early_stopping_restores_best_epoch(planted):
    data, text = planted
    m = small(text, n_epochs=40, lr=0.2, patience=2).fit(data, valid=data)
    h = m.history_["valid_NDCG@10"]
    assert len(h) < 40 or m.best_epoch_ == 40
    assert m.best_epoch_ == int(h.idxmax())


def test_module_groups_and_adapter_kinds():
    mod = TwoTowerModule(3, 4, 2, torch.zeros(4, 5), torch.tensor([True, True, False, True]))
    g = mod.groups()
    assert [p.shape for p in g["cf"]] == [(3, 2), (4, 2)]
    assert sum(p.numel() for p in g["lm"]) == 5 * 2 + 2
    with pytest.raises(ValueError, match="adapter"):
        make_adapter("gru", 5, 2, 4)


@pytest.mark.parametrize("kw, match", [
    (dict(strategy="cyclic"), "strategy"), (dict(switch_every=0), "switch_every"),
    (dict(phases=("cf", "mf")), "phases"),
    (dict(loss="hinge"), "loss"), (dict(adapter="gru"), "adapter"), (dict(cf_dropout=1.0), "cf_dropout"),
    (dict(n_epochs=0), "n_epochs"), (dict(lr=0), "lr"), (dict(patience=0), "patience"),
    (dict(encoder=torch.nn.Linear(2, 2)), "tokenizer"),
])
def test_bad_hyper_parameters(kw, match):
    with pytest.raises(ValueError, match=match):
        TwoTowerHybrid(np.zeros((3, 2)), **kw)


def test_bad_inputs(planted):
    data, text = planted
    with pytest.raises(ValueError, match="n_items=30"):
        small(text[:10]).fit(data)
    with pytest.raises(TypeError, match="encode them first"):
        small(["a movie"] * N_ITEMS).fit(data)
    bad = text.copy()
    bad[3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        small(bad).fit(data)
    other = Interactions(np.array([0]), np.array([0]), n_users=N_USERS, n_items=N_ITEMS + 1)
    with pytest.raises(ValueError, match="index spaces"):
        small(text).fit(data, valid=other)
    with pytest.raises(TypeError, match="list of strings"):
        small(text, finetune_encoder=True).fit(data)


# ---------------------------------------------------------------- fine-tuning the encoder (tiny, offline)
@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory):
    transformers = pytest.importorskip("transformers")
    words = ["even", "odd", "movie", "film", "drama", "comedy"]
    vocab = tmp_path_factory.mktemp("tok") / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words) + "\n")
    tok = transformers.BertTokenizerFast(vocab_file=str(vocab))
    torch.manual_seed(0)
    cfg = transformers.BertConfig(vocab_size=len(words) + 5, hidden_size=16, num_hidden_layers=1,
                                  num_attention_heads=2, intermediate_size=32, max_position_embeddings=16)
    return transformers.BertModel(cfg), tok


def test_finetune_encoder_updates_a_copy_and_alternating_freezes_it(planted, tiny_encoder):
    data, _ = planted
    model, tok = tiny_encoder
    texts = [("even movie drama" if g == 0 else "odd film comedy") for g in group_of_item(np.arange(N_ITEMS))]
    original = [p.detach().clone() for p in model.parameters()]
    m = small(texts, finetune_encoder=True, encoder=model, tokenizer=tok, encoder_lr=1e-3, n_epochs=3).fit(data)
    assert all(torch.equal(a, b) for a, b in zip(original, model.parameters()))  # caller's model untouched
    tuned = list(m.module_.tower.encoder.parameters())
    assert any(not torch.equal(a, b.cpu()) for a, b in zip(original, tuned))
    assert m.score(np.arange(4)).shape == (4, N_ITEMS)
    module = m.module_.eval()
    with torch.no_grad():  # a cold item: its vector is the adapter over the (fine-tuned) encoder's output
        expected = module.adapter(module.tower(torch.tensor([28], device=m.device_)))[0]
    assert torch.allclose(m.item_vectors_[28].cpu(), expected.cpu(), atol=1e-5)
    frozen = small(texts, finetune_encoder=True, encoder=model, tokenizer=tok, strategy="alternating",
                   phases=("cf",), n_epochs=2).fit(data)
    assert all(torch.equal(a, b.cpu()) for a, b in zip(original, frozen.module_.tower.encoder.parameters()))
