"""Grid search picks the best validation score and never sees the test set."""

import numpy as np
import pytest
import torch

from hybridrec_ref.base import Recommender
from hybridrec_ref.data import Interactions
from hybridrec_ref.tuning import grid_search


class Shifted(Recommender):
    """Prefers item ``best``; the grid should find the parameter that points at the validation item."""

    def __init__(self, best: int):
        self.best = best

    def _fit(self, train):
        pass

    def _score(self, users):
        s = torch.zeros(len(users), self.n_items_)
        s[:, self.best] = 1.0
        return s


def test_grid_search_finds_the_best_parameter_and_reports_all():
    train = Interactions(np.array([0, 1]), np.array([0, 0]), 2, 4)
    valid = Interactions(np.array([0, 1]), np.array([2, 2]), 2, 4)
    best, table = grid_search(Shifted, {"best": [1, 2, 3]}, train, valid, k=1)
    assert best == {"best": 2}
    assert table["NDCG@1"].tolist() == pytest.approx([0.0, 1.0, 0.0])


def test_grid_search_rejects_empty_grids():
    d = Interactions(np.array([0]), np.array([0]), 1, 2)
    with pytest.raises(ValueError, match="empty"):
        grid_search(Shifted, {}, d, d)
    with pytest.raises(ValueError, match="no candidate"):
        grid_search(Shifted, {"best": []}, d, d)
