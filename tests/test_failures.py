"""No silent wrong answers (issue 9, section 2): one test per class of failure.

Each test failed on the main branch before the fix (silently wrong result, raw
traceback from deep inside numpy/torch, or a hang); the policy they pin down is
written in the reproducing appendix (``sec-reproducing-failures``).
"""

from __future__ import annotations

import http.server
import os
import threading
import time
import warnings

import numpy as np
import pytest
import torch
from conftest import FixedScores

from hybridrec_ref.cf import MatrixFactorization, MostPopular
from hybridrec_ref.content.cache import EmbeddingCache
from hybridrec_ref.data import Interactions, random_holdout
from hybridrec_ref.data.fetch import DataUnavailableError, clear_cache, fetch, load_manifest
from hybridrec_ref.data.splits import cold_start_split
from hybridrec_ref.eval import evaluate, topk_metrics
from hybridrec_ref.eval.beyond import catalogue_coverage, intra_list_diversity
from hybridrec_ref.eval.stats import bootstrap_ci
from hybridrec_ref.fusion import CascadeHybrid, FeatureAugmentationHybrid, WeightedHybrid
from hybridrec_ref.lm import LSTMLM, load_checkpoint, save_checkpoint


def small(n_users=6, n_items=8, per_user=3, seed=0, ratings=True):
    rng = np.random.default_rng(seed)
    users = np.repeat(np.arange(n_users), per_user)
    items = np.concatenate([rng.choice(n_items, per_user, replace=False) for _ in range(n_users)])
    r = rng.integers(1, 6, len(users)).astype(float) if ratings else None
    return Interactions(users, items, n_users, n_items, ratings=r)


# ------------------------------------------------------------ recommend
def test_recommend_never_returns_training_items():
    """k above a user's unseen items: main returned training items (scored -inf); now a clear error."""
    data = Interactions([0, 0, 0, 1], [0, 1, 2, 0], 2, 4)
    model = MostPopular(device="cpu").fit(data)
    assert set(model.recommend([0], 1)[0]) == {3}
    with pytest.raises(ValueError, match=r"user 0 has only 1 recommendable item.*k=2"):
        model.recommend([0], 2)
    assert model.recommend([0], 2, exclude_seen=False).shape == (1, 2)   # explicit opt-out still works


def test_restricted_candidates_are_never_padded_with_excluded_items():
    data = small()
    cascade = CascadeHybrid(MostPopular(device="cpu"), FixedScores(np.arange(8.0)), n_candidates=2).fit(data)
    assert cascade.recommend(np.arange(6), 2).shape == (6, 2)
    with pytest.raises(ValueError, match="recommendable item"):
        cascade.recommend(np.arange(6), 3)


def test_nan_scores_are_rejected_naming_the_model():
    """NaN ranks first under torch.topk: main recommended the NaN item."""
    scores = np.array([0.1, np.nan, 0.3, 0.2])
    model = FixedScores(scores).fit(Interactions([0], [0], 1, 4))
    with pytest.raises(ValueError, match="_Fixed produced NaN scores"):
        model.recommend([0], 2)


def test_rankings_are_prefix_consistent_and_break_ties_by_lower_index():
    # most-popular on real-sized data has many ties; torch.topk broke them differently for each k
    rng = np.random.default_rng(1)
    n_users, n_items = 300, 400
    users = rng.integers(0, n_users, 3000)
    items = rng.integers(0, n_items, 3000)
    key = np.unique(users * n_items + items)
    data = Interactions(key // n_items, key % n_items, n_users, n_items)
    train, test = random_holdout(data, 0.3, seed=0)
    pop = MostPopular(device="cpu").fit(train)
    u = np.arange(n_users)
    assert np.array_equal(pop.recommend(u, 20)[:, :5], pop.recommend(u, 5))
    one = evaluate(pop, train, test, ks=(5,)).set_index(["metric", "k"])["value"]
    many = evaluate(pop, train, test, ks=(5, 10, 20)).set_index(["metric", "k"])["value"]
    assert np.allclose(one, many.loc[one.index])
    from hybridrec_ref.base import top_k
    scores = torch.zeros(3, 300)
    scores[:, 7] = 1.0
    for k in (5, 20, 40):
        assert torch.equal(top_k(scores, k)[:, :5], top_k(scores, 5))
    assert top_k(scores, 5)[0].tolist() == [7, 0, 1, 2, 3]


# ------------------------------------------------------------ non-finite values
@pytest.mark.parametrize("kwargs, message", [
    (dict(users=[0, 1], items=[0, 1], ratings=[1.0, np.inf]), "NaN or infinite"),
    (dict(users=[0.7, 1], items=[0, 1]), "fractional"),
    (dict(users=[0, 1], items=[np.nan, 1]), "NaN"),
])
def test_interactions_reject_non_finite_and_fractional_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Interactions(n_users=2, n_items=2, **kwargs)


def test_diverging_mf_says_so_instead_of_recommending_from_nan():
    with pytest.raises(FloatingPointError, match="diverged.*lower lr"):
        MatrixFactorization(n_factors=8, n_epochs=5, lr=50.0, seed=0, device="cpu").fit(small(20, 30, 10))


def test_mf_gives_users_without_ratings_zero_factors():
    data = small(6, 8, 3)
    train = data.subset(data.users != 5)
    mf = MatrixFactorization(n_factors=4, n_epochs=2, seed=0, device="cpu").fit(train)
    assert torch.equal(mf.user_factors_[5], torch.zeros(4))


def test_a_nan_weight_or_feature_row_does_not_poison_a_hybrid():
    with pytest.raises(ValueError, match=r"weights\['a'\]"):
        WeightedHybrid({"a": MostPopular(device="cpu"), "b": MostPopular(device="cpu")}, {"a": np.nan, "b": 1.0})
    features = np.ones((8, 3))
    features[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"item_features contains NaN.*first: \[2\]"):
        FeatureAugmentationHybrid(MostPopular(device="cpu"), features, calibrate=False).fit(small())


# ------------------------------------------------------------ files
def test_checkpoints_are_checksummed_atomic_and_strict(tmp_path):
    model = LSTMLM(12, d_model=8, seed=0)
    path = save_checkpoint(model, tmp_path / "lm.pt")
    raw = bytearray(path.read_bytes())
    raw[-200] ^= 0x40                       # one flipped bit in the weights
    (tmp_path / "bad.pt").write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="damaged"):
        load_checkpoint(tmp_path / "bad.pt", device="cpu")
    # a save that fails half-way leaves the previous checkpoint intact
    before = path.read_bytes()
    original = torch.save

    def failing_save(obj, f):
        f.write(b"half a file")
        raise OSError("disk full")
    torch.save = failing_save
    try:
        with pytest.raises(OSError):
            save_checkpoint(model, path)
    finally:
        torch.save = original
    assert path.read_bytes() == before and load_checkpoint(path, device="cpu") is not None
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_checkpoint_with_unknown_config_keys_is_refused(tmp_path):
    model = LSTMLM(12, d_model=8, seed=0)
    model.config["n_experts"] = 4            # a key from another version of the package
    with pytest.raises(ValueError, match=r"\['n_experts'\].*another version"):
        load_checkpoint(save_checkpoint(model, tmp_path / "lm.pt"), device="cpu")


def test_clear_cache_refuses_paths(tmp_path):
    cache = tmp_path / "cache"
    (cache / "ml-100k").mkdir(parents=True)
    outside = tmp_path / "x"
    outside.mkdir()
    (outside / "keep.txt").write_text("precious")
    for name in ("../x", "/tmp", "..", "a/b", ""):
        with pytest.raises(ValueError, match="not a path"):
            clear_cache(name, cache_dir=cache)
    assert (outside / "keep.txt").exists()
    clear_cache("ml-100k", cache_dir=cache)
    assert not (cache / "ml-100k").exists()


@pytest.fixture
def trickle():
    """An HTTP server that sends one byte every 0.2 s (each read is fast; the whole is slow)."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/slow.zip"
    server.shutdown()


def test_fetch_has_an_overall_deadline(tmp_path, trickle):
    manifest = {"x": {"sources": [{"kind": "archive", "format": "grouplens", "url": trickle, "file": "x.zip",
                                   "size": 100, "sha256": "0" * 64}]}}
    start = time.monotonic()
    with pytest.raises(DataUnavailableError, match="deadline"):
        fetch("x", cache_dir=tmp_path, manifest=manifest, timeout=2, deadline=1.0)
    assert time.monotonic() - start < 5


def test_stale_part_files_are_removed(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    stale, fresh = folder / ".x.zip.abc.part", folder / ".x.zip.def.part"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"being written")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    payload = b"data"
    import hashlib
    (folder / "x.zip").write_bytes(payload)
    manifest = {"x": {"sources": [{"kind": "archive", "format": "grouplens", "url": "http://127.0.0.1:9/x",
                                   "file": "x.zip", "size": 4, "sha256": hashlib.sha256(payload).hexdigest()}]}}
    fetch("x", cache_dir=tmp_path, manifest=manifest)
    assert not stale.exists() and fresh.exists()


def test_truncated_manifest_names_the_file(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text('{"ml-100k": {"sources": [')
    with pytest.raises(DataUnavailableError, match=f"{path}.*truncated"):
        load_manifest(path)


def test_read_only_embedding_cache_still_returns_the_vectors(tmp_path, monkeypatch):
    from hybridrec_ref.content.cache import CacheWriteWarning
    cache = EmbeddingCache(tmp_path / "emb")

    def refuse(*a, **k):
        raise PermissionError("read-only file system")
    monkeypatch.setattr("hybridrec_ref.content.cache.atomic_write_bytes", refuse)
    with pytest.warns(CacheWriteWarning, match="read-only"):
        emb = cache.get_or_compute("m", ["a", "b"], lambda t: np.ones((len(t), 3)))
    assert emb.shape == (2, 3)


# ------------------------------------------------------------ evaluation
def test_topk_metrics_reject_duplicates_and_bad_indices():
    truth = Interactions([0, 0], [1, 2], 1, 4).to_csr("ones")
    with pytest.raises(ValueError, match="repeat an item"):
        topk_metrics(np.array([[1, 1, 2]]), truth, [0])
    with pytest.raises(ValueError, match=r"must lie in \[0, 4\)"):
        topk_metrics(np.array([[1, 4]]), truth, [0])
    with pytest.raises(ValueError, match="-1 is not"):
        topk_metrics(np.array([[1, -1]]), truth, [0])


def test_beyond_accuracy_and_bootstrap_arguments_are_checked():
    topk = np.array([[0, 1], [1, 2]])
    with pytest.raises(ValueError, match="n_items must be a positive integer"):
        catalogue_coverage(topk, 0)
    with pytest.raises(ValueError, match="n_boot must be a positive integer"):
        bootstrap_ci([0.1, 0.2], n_boot=0)
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\)"):
        intra_list_diversity(topk, np.ones((2, 4)))          # 2 rows for items up to index 2
    data = small()
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        evaluate(MostPopular(device="cpu").fit(data), data, data, batch_size=0)


def test_splits_warn_when_duplicated_pairs_leak_into_test():
    from hybridrec_ref.data.splits import DuplicateLeakWarning
    data = Interactions(np.repeat(np.arange(10), 6), np.tile([0, 0, 1, 2, 3, 4], 10), 10, 5)
    with pytest.warns(DuplicateLeakWarning, match="pair"):
        random_holdout(data, 0.5, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clean = Interactions(np.repeat(np.arange(10), 5), np.tile(np.arange(5), 10), 10, 5)
        random_holdout(clean, 0.4, seed=0)
        cold_start_split(clean, 0.2, 0.4, seed=0)


# ------------------------------------------------------------ raw errors made clear
def test_bad_shapes_and_types_get_clear_errors():
    data = small()
    pop = MostPopular(device="cpu").fit(data)
    with pytest.raises(ValueError, match="1-D"):
        pop.recommend(np.array([[0, 1]]), 2)
    bias = MatrixFactorization(n_factors=2, n_epochs=1, seed=0, device="cpu").fit(data)
    with pytest.raises(TypeError, match="item indices must be integer"):
        bias.predict([0], ["Toy Story"])
    lm = LSTMLM(12, d_model=8, seed=0)
    with pytest.raises(ValueError, match="empty input"):
        lm(torch.zeros((2, 0), dtype=torch.long))
