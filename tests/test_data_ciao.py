"""Ciao loader (chapter 11): cleaning rules, the trust matrix, counts, refetch of a damaged file."""

import hashlib

import numpy as np
import pytest
import scipy.sparse as sp

from hybridrec_ref.data import Interactions, SocialDataset, load_ciao
from hybridrec_ref.data.ciao import read_ciao_ratings, trust_matrix
from hybridrec_ref.data.fetch import fetch

from conftest import cached_copy


def test_repeated_rating_keeps_the_latest(tmp_path):
    (tmp_path / "r").write_text("1,5,2,100\n1,5,4,300\n1,5,1,200\n2,5,3,50\n")
    df = read_ciao_ratings(tmp_path / "r")
    assert len(df) == 2
    assert df.set_index("user").loc[1, "rating"] == 4


def test_trust_matrix_drops_unknown_users_self_loops_and_repeats():
    inter = Interactions.from_raw([10, 20, 30], [1, 1, 2])
    m = trust_matrix([10, 10, 10, 20, 99, 30], [20, 20, 10, 30, 10, 77], inter)
    assert m.shape == (3, 3)
    assert m.toarray().tolist() == [[0, 1, 0], [0, 0, 1], [0, 0, 0]]


def test_social_dataset_checks_the_trust_shape():
    inter = Interactions.from_raw([1, 2], [1, 1])
    import pandas as pd
    with pytest.raises(ValueError, match="trust matrix"):
        SocialDataset("x", inter, pd.DataFrame({"raw_id": [1]}), None, sp.csr_matrix((3, 3)))


def test_counts_match_the_source():
    ds = load_ciao()
    d = ds.interactions
    assert (d.n_users, d.n_items) == (17615, 16121)
    assert len(d) == 72665 - 320                              # 320 repeated pairs reduced to one
    assert set(np.unique(d.ratings)) == {1, 2, 3, 4, 5}
    assert ds.trust.nnz == 22484 and ds.trust.diagonal().sum() == 0
    assert set(np.unique(ds.trust.data)) == {1.0}
    assert int((ds.users.n_trusted > 0).sum()) == 894


def test_damaged_file_is_fetched_again(tmp_path, capsys):
    manifest, source, folder = cached_copy(tmp_path, "ciao")
    damaged = folder / "Ciao.trust"
    damaged.write_bytes(damaged.read_bytes()[:500])           # truncated
    fetch("ciao", cache_dir=tmp_path, manifest=manifest)
    assert "Ciao.trust" in capsys.readouterr().err
    assert hashlib.sha256(damaged.read_bytes()).hexdigest() == source["files"]["Ciao.trust"]["sha256"]
