"""Embedding cache (hybridrec_ref.content.cache): keys, atomic writes, damaged files rebuilt."""

import numpy as np
import pytest

from hybridrec_ref.content import CacheCorruptionWarning, EmbeddingCache, texts_hash

TEXTS = ["alpha", "beta", "gamma"]


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self, texts):
        self.calls += 1
        return np.arange(len(texts) * 4, dtype=np.float32).reshape(len(texts), 4) + self.calls


def test_roundtrip_and_hit(tmp_path):
    cache, compute = EmbeddingCache(tmp_path), Counter()
    a = cache.get_or_compute("m1", TEXTS, compute)
    b = cache.get_or_compute("m1", TEXTS, compute)
    assert compute.calls == 1
    np.testing.assert_array_equal(a, b)
    assert [p.name for p in tmp_path.iterdir()] == [cache.path("m1", TEXTS).name]  # no temp files left


def test_key_depends_on_model_texts_and_order(tmp_path):
    cache = EmbeddingCache(tmp_path)
    paths = {cache.path("m1", TEXTS), cache.path("m2", TEXTS), cache.path("m1", TEXTS[::-1]),
             cache.path("m1", TEXTS[:2])}
    assert len(paths) == 4
    assert texts_hash(["ab"]) != texts_hash(["a", "b"])


def _damage(path, how):
    raw = path.read_bytes()
    if how == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "garbage":
        path.write_bytes(b"not a zip file at all")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "flip":  # change array bytes in place: only the checksum can tell
        arr = np.load(path)
        emb = arr["embeddings"].copy()
        emb[0, 0] += 1.0
        np.savez(path, embeddings=emb, key=arr["key"], digest=arr["digest"])
    elif how == "wrong_key":
        arr = np.load(path)
        np.savez(path, embeddings=arr["embeddings"], key=np.array("other"), digest=arr["digest"])


@pytest.mark.parametrize("how", ["truncate", "garbage", "empty", "flip", "wrong_key"])
def test_damaged_file_is_detected_and_rebuilt(tmp_path, how):
    cache, compute = EmbeddingCache(tmp_path), Counter()
    first = cache.get_or_compute("m", TEXTS, compute)
    path = cache.path("m", TEXTS)
    _damage(path, how)
    with pytest.warns(CacheCorruptionWarning, match="damaged"):
        rebuilt = cache.get_or_compute("m", TEXTS, compute)
    assert compute.calls == 2  # recomputed, not trusted
    np.testing.assert_array_equal(rebuilt, first + 1)  # the Counter's second result
    np.testing.assert_array_equal(cache.load("m", TEXTS), rebuilt)  # the rebuilt file is sound


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    cache = EmbeddingCache(tmp_path)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        cache.save("m", TEXTS, np.zeros((3, 2)))
    assert list(tmp_path.iterdir()) == []


def test_bad_input(tmp_path):
    cache = EmbeddingCache(tmp_path)
    with pytest.raises(ValueError, match="shape"):
        cache.save("m", TEXTS, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="model_id"):
        cache.key("", TEXTS)
    assert cache.load("m", TEXTS) is None
    cache.save("m", TEXTS, np.zeros((3, 4)))
    assert cache.clear() == 1
