"""The notebook helpers: record (one or several values), setup, the SMOKE subset."""

import numpy as np
import pytest

from hybridrec_ref import notebook
from hybridrec_ref.data import Interactions


@pytest.fixture
def glued(monkeypatch):
    import myst_nb

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: calls.append((name, value, display)))
    return calls


def test_record_one_several_and_a_dict(glued):
    notebook.record("a", np.float32(0.5))
    notebook.record(b=1, c="x")
    notebook.record({"fig-name": 2}, d=3, display=True)
    assert glued == [("a", 0.5, False), ("b", 1, False), ("c", "x", False), ("fig-name", 2, True), ("d", 3, True)]
    assert type(glued[0][1]) is float  # numpy scalars become plain numbers


@pytest.mark.parametrize("call", [lambda: notebook.record(), lambda: notebook.record("a"),
                                  lambda: notebook.record({"a": 1}, 2), lambda: notebook.record("a", 1, a=2),
                                  lambda: notebook.record(value=3), lambda: notebook.record({"": 1})])
def test_record_rejects_incomplete_calls(glued, call):
    with pytest.raises(TypeError):
        call()
    assert glued == []


def test_setup_and_smoke_subset():
    import pandas as pd
    import torch

    threads = torch.get_num_threads()
    try:
        dev = notebook.setup(smoke=False, seed=3, device="cpu", torch_threads=1)
        assert dev.type == "cpu" and torch.get_num_threads() == 1
        assert pd.get_option("display.float_format")(0.123456) == "0.1235"
        a = torch.rand(1)
        notebook.setup(seed=3, device="cpu")
        assert torch.equal(a, torch.rand(1))  # seeded again, same draw
    finally:
        torch.set_num_threads(threads)
        pd.reset_option("display.float_format")
    data = Interactions(np.array([0, 149, 150, 300]), np.array([0, 1, 2, 3]), 301, 4)
    small = notebook.smoke_subset(data, True)
    assert list(small.users) == [0, 149] and small.n_users == 301
    assert notebook.smoke_subset(data, False) is data
