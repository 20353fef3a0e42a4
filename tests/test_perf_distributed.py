"""DDP via torchrun (hybridrec_ref.perf.distributed): 2 gloo processes take the single process's steps.

Tolerance: the two runs differ only in floating-point summation order (each rank sums half a batch,
gloo adds the halves), so after 2 epochs of Adam predictions agree to 1e-4 (measured: ~2e-6) and RMSE to 1e-5.
"""

import numpy as np
import pytest
import torch

from hybridrec_ref.data import random_holdout
from hybridrec_ref.eval.metrics import rmse
from hybridrec_ref.perf.distributed import DistributedMF


def test_two_gloo_processes_match_single_process_training(ml100k):
    train, test = random_holdout(ml100k.interactions, 0.2, seed=42)
    kw = dict(n_factors=16, n_epochs=2, batch_size=2048, device="cpu", seed=3)
    torch.set_num_threads(1)
    one = DistributedMF(**kw).fit(train)
    two = DistributedMF(world_size=2, backend="gloo", **kw).fit(train)
    p1, p2 = one.predict(test.users, test.items), two.predict(test.users, test.items)
    assert np.abs(p1 - p2).max() < 1e-4
    assert rmse(p1, test.ratings) == pytest.approx(rmse(p2, test.ratings), abs=1e-5)
    assert rmse(p1, test.ratings) < 1.2  # it learned something (global mean alone: ~1.13)
    assert len(two.epoch_seconds_) == 2


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="world_size"):
        DistributedMF(world_size=0)
    with pytest.raises(ValueError, match="backend"):
        DistributedMF(backend="mpi")
