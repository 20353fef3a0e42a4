"""compare_cold_splits: models side by side on several cold-start splits (chapters 6 and 9)."""

import numpy as np
import pytest
from conftest import FixedScores

from hybridrec_ref.data import ColdStartSplit, Interactions
from hybridrec_ref.eval import compare_cold_splits


def toy():
    # 4 users x 6 items; item 5 is cold (only in test)
    train = Interactions([0, 1, 2, 3], [0, 1, 2, 3], 4, 6)
    test = Interactions([0, 1, 2, 3, 0], [4, 4, 5, 5, 5], 4, 6)
    return ColdStartSplit(train, test, np.array([5]), "item")


def test_rows_match_hand_computed_metrics():
    split = toy()
    cold_first = FixedScores(np.array([0, 0, 0, 0, 1.0, 2.0])).fit(split.train)   # ranks 5, 4, ...
    warm_first = FixedScores(np.array([0, 0, 0, 0, 2.0, 1.0])).fit(split.train)
    table = compare_cold_splits({"toy": (split, {"warm": warm_first, "cold": cold_first})}, baseline="warm", k=1)
    cold, warm = table.loc[("toy", "cold")], table.loc[("toy", "warm")]
    # k=1: "cold" recommends item 5 to everyone; hits for users 0, 2, 3; "warm" recommends 4: hits for 0, 1
    assert cold["NDCG@1"] == pytest.approx(3 / 4) and warm["NDCG@1"] == pytest.approx(2 / 4)
    assert cold["cold Recall@1"] == pytest.approx(1.0) and warm["cold Recall@1"] == pytest.approx(0.0)
    assert cold["cold slots"] == 1.0 and warm["cold slots"] == 0.0
    assert cold["diff"] == pytest.approx(0.25) and warm["diff"] == 0.0 and warm["p"] == 1.0
    assert cold["n_users"] == 4


def test_bad_input_is_named():
    split = toy()
    m = FixedScores(np.zeros(6)).fit(split.train)
    with pytest.raises(ValueError, match="no model named 'ALS'"):
        compare_cold_splits({"toy": (split, {"x": m})}, baseline="ALS")
    with pytest.raises(TypeError, match="ColdStartSplit"):
        compare_cold_splits({"toy": ((split.train, split.test), {"x": m})}, baseline="x")
