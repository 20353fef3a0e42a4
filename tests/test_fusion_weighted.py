"""Weighted hybrid: normalisation, weights, and CF abstaining on cold items."""

import numpy as np
import pytest
import torch
from conftest import FixedScores

from hybridrec_ref.data import Interactions
from hybridrec_ref.fusion import WeightedHybrid, normalise_rows



TRAIN = Interactions(np.array([0, 0, 1]), np.array([0, 1, 1]), 2, 4)  # items 2 and 3 are cold


@pytest.mark.parametrize("how", ["zscore", "minmax", "rank"])
def test_normalise_rows_is_invariant_to_affine_rescaling(how):
    s = torch.tensor([[1.0, 5.0, 3.0, 2.0]])
    assert torch.allclose(normalise_rows(s, how), normalise_rows(10 * s + 7, how))
    if how == "minmax":
        assert normalise_rows(s, how).min() == 0 and normalise_rows(s, how).max() == 1


def test_constant_rows_do_not_divide_by_zero():
    assert torch.isfinite(normalise_rows(torch.ones(2, 3), "zscore")).all()
    assert torch.isfinite(normalise_rows(torch.ones(2, 3), "minmax")).all()


def test_blend_is_the_weighted_sum_of_normalised_scores():
    a, b = [0.0, 1.0, 0.0, 0.0], [4.0, 3.0, 2.0, 1.0]
    h = WeightedHybrid({"a": FixedScores(a), "b": FixedScores(b)}, {"a": 0.25, "b": 0.75}).fit(TRAIN)
    expected = 0.25 * normalise_rows(torch.tensor([a])) + 0.75 * normalise_rows(torch.tensor([b]))
    assert torch.allclose(h.score([0]), expected)


def test_abstaining_component_gives_cold_items_its_neutral_value():
    cf = [3.0, 1.0, 0.0, 0.0]          # a CF model scores cold items 2 and 3 at its floor
    content = [0.0, 0.0, 0.0, 1.0]     # content likes cold item 3
    naive = WeightedHybrid({"cf": FixedScores(cf), "content": FixedScores(content)}, {"cf": 0.8, "content": 0.2}).fit(TRAIN)
    aware = WeightedHybrid({"cf": FixedScores(cf), "content": FixedScores(content)}, {"cf": 0.8, "content": 0.2},
                           abstain_on_cold=("cf",)).fit(TRAIN)
    s_naive, s_aware = naive.score([1])[0], aware.score([1])[0]
    # naive: CF's floor is a negative vote that buries the cold item the content model likes
    assert s_naive[3] < s_naive[1]
    # aware: CF is neutral (0 after z-scoring over warm items) on cold items, content decides
    assert s_aware[3] > s_aware[1]


@pytest.mark.parametrize("kwargs, message", [
    (dict(components={}), "at least one"),
    (dict(components={"a": FixedScores([1.0])}, weights={"b": 1.0}), "weights name"),
    (dict(components={"a": FixedScores([1.0])}, weights={"a": -1.0}), r"weights\['a'\] must be a non-negative number"),
    (dict(components={"a": FixedScores([1.0])}, normalise="softmax"), "normalise"),
    (dict(components={"a": FixedScores([1.0])}, abstain_on_cold=("cf",)), "unknown components"),
])
def test_bad_configuration_is_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WeightedHybrid(**kwargs)
