"""The shared training loop and checkpoints (hybridrec_ref.lm.train)."""

import io
import math

import numpy as np
import pytest
import torch

from hybridrec_ref.lm import LSTMLM, TransformerLM, cross_entropy, load_checkpoint, save_checkpoint, train_lm
from hybridrec_ref.lm.ngram import NGramLM
from hybridrec_ref.lm.train import lr_factor

V = 16


@pytest.fixture(scope="module")
def tiny_corpus():
    """One random sentence: every token is determined by its prefix, so the loss can reach zero.

    (With several sentences the first token after <bos> is a guess, a floor of log(#sentences).)
    """
    rng = np.random.default_rng(0)
    return [np.r_[2, rng.integers(4, V, size=14), 3]]


@pytest.mark.parametrize("cls", [LSTMLM, TransformerLM])
def test_overfits_a_tiny_corpus(cls, tiny_corpus):
    model = cls(V, d_model=32, dropout=0.0, seed=0)
    before = cross_entropy(model, tiny_corpus)
    hist = train_lm(model, tiny_corpus, tiny_corpus, n_epochs=40, batch_size=8, lr=2e-2, warmup=5,
                    schedule="constant", patience=40, weight_decay=0.0, verbose=False)
    after = cross_entropy(model, tiny_corpus)
    assert before > 2.0  # about log(V) at the start
    assert after < 0.05, f"{cls.__name__} did not overfit: cross-entropy {after:.3f}"
    assert hist.index.name == "epoch" and list(hist.columns) == ["train_loss", "lr", "valid_loss", "seconds"]
    assert hist["valid_loss"].min() == pytest.approx(after, abs=1e-6)  # best weights restored


def test_early_stopping_restores_best(tiny_corpus):
    rng = np.random.default_rng(1)
    valid = [np.r_[2, rng.integers(4, V, size=14), 3] for _ in range(4)]  # unrelated: overfitting hurts
    model = TransformerLM(V, d_model=32, dropout=0.0, seed=0)
    hist = train_lm(model, tiny_corpus, valid, n_epochs=200, batch_size=8, lr=1e-2, patience=2, verbose=False)
    assert len(hist) < 200  # stopped early
    best = hist["valid_loss"].idxmin()
    assert len(hist) == best + 2  # epochs are numbered from 1
    assert cross_entropy(model, valid) == pytest.approx(hist["valid_loss"].min(), abs=1e-6)


def test_lr_schedule_shapes():
    assert lr_factor(0, 100, 10, "cosine") == pytest.approx(0.1)
    assert lr_factor(9, 100, 10, "cosine") == pytest.approx(1.0)
    assert lr_factor(55, 100, 10, "cosine") == pytest.approx(0.5)
    assert lr_factor(55, 100, 10, "linear") == pytest.approx(0.5)
    assert lr_factor(100, 100, 10, "cosine") == pytest.approx(0.0, abs=1e-12)
    assert lr_factor(80, 100, 10, "constant") == 1.0


@pytest.mark.parametrize("cls", [LSTMLM, TransformerLM])
def test_checkpoint_round_trip_is_exact(cls, tiny_corpus, tmp_path):
    model = cls(V, d_model=16, seed=0)
    train_lm(model, tiny_corpus, n_epochs=2, batch_size=4, verbose=False)
    path = save_checkpoint(model, tmp_path / "lm.pt")
    loaded = load_checkpoint(path, device="cpu")
    assert type(loaded) is cls and loaded.config == model.config
    for (k, p), (_, q) in zip(model.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(p.cpu(), q), k
    x = torch.tensor([[2, 5, 6, 7]])
    assert torch.equal(model.cpu().eval()(x), loaded(x))  # same device: exact
    # after its checksum line the file holds only tensors and plain values: it loads with weights_only=True
    header, _, payload = path.read_bytes().partition(b"\n")
    assert header.startswith(b"HYBRIDREC-CHECKPOINT sha256=")
    assert set(torch.load(io.BytesIO(payload), weights_only=True)) == {"model", "config", "state_dict"}


def test_bad_input(tiny_corpus, tmp_path):
    with pytest.raises(TypeError, match="neural LMs"):
        train_lm(NGramLM(2), tiny_corpus)
    with pytest.raises(ValueError, match="schedule"):
        train_lm(LSTMLM(V), tiny_corpus, schedule="step")
    with pytest.raises(ValueError, match="no training sentence"):
        train_lm(LSTMLM(V), [np.array([2])])
    with pytest.raises(FileNotFoundError, match="save_checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")
    torch.save({"foo": torch.zeros(1)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a hybridrec_ref.lm checkpoint"):
        load_checkpoint(tmp_path / "other.pt")
    with pytest.raises(TypeError, match="neural LMs"):
        save_checkpoint(NGramLM(2), tmp_path / "x.pt")
    assert math.isfinite(cross_entropy(LSTMLM(V), tiny_corpus))
