"""Bag-of-words genre classifier and its scores (hybridrec_ref.lm.classify)."""

import numpy as np
import pytest

from hybridrec_ref.data import genre_matrix
from hybridrec_ref.lm.classify import GenreClassifier, bag_of_words, classification_scores
from hybridrec_ref.lm.vocab import Vocabulary


def test_bag_of_words_drops_specials_and_normalises():
    x = bag_of_words([np.array([2, 4, 4, 5, 3]), np.array([2, 3])], 6)
    assert x.shape == (2, 6) and x[:, :4].abs().sum() == 0
    assert float(x[0].norm()) == pytest.approx(1.0) and float(x[1].norm()) == 0.0
    assert float(x[0, 4]) > float(x[0, 5])


def test_genre_matrix():
    y, labels = genre_matrix([["Drama", "Comedy"], ["unknown"], ["Drama"]], drop=("unknown",))
    assert labels == ["Comedy", "Drama"]
    assert y.tolist() == [[1, 1], [0, 0], [0, 1]]


def test_learns_a_separable_task():
    vocab = Vocabulary.build([["war", "love", "ship", "kiss"]])
    war, love = vocab.stoi["war"], vocab.stoi["love"]
    docs = [np.array([2, war, 3])] * 10 + [np.array([2, love, 3])] * 10
    y = np.array([[1, 0]] * 10 + [[0, 1]] * 10, dtype=np.float32)
    clf = GenreClassifier(n_epochs=200, device="cpu").fit(docs, y, vocab)
    scores = classification_scores(clf.predict_proba(docs), y)
    assert scores == {"top1_accuracy": 1.0, "macro_f1": 1.0, "micro_f1": 1.0}


def test_scores_hand_computed():
    y = np.array([[1, 0], [1, 1], [0, 1]])
    proba = np.array([[0.9, 0.2], [0.4, 0.7], [0.6, 0.3]])
    s = classification_scores(proba, y)
    # top-1: item0 -> 0 (yes), item1 -> 1 (yes), item2 -> 0 (no)
    assert s["top1_accuracy"] == pytest.approx(2 / 3)
    # label 0: tp=1 fp=1 fn=1 -> F1 1/2; label 1: tp=1 fp=0 fn=1 -> F1 2/3
    assert s["macro_f1"] == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert s["micro_f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 2))


def test_bad_input():
    vocab = Vocabulary.build([["a"]])
    with pytest.raises(ValueError, match="one row per document"):
        GenreClassifier().fit([np.array([2, 4, 3])], np.zeros((2, 3)), vocab)
    with pytest.raises(RuntimeError, match="not fitted"):
        GenreClassifier().predict_proba([np.array([2, 3])])
    with pytest.raises(ValueError, match="same shape"):
        classification_scores(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="lr must be"):
        GenreClassifier(lr=0)
    with pytest.raises(ValueError, match="weight_decay"):
        GenreClassifier(weight_decay=-1)
