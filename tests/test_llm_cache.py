"""The LLM score cache: round trip, keys that change with model, parameters and prompts, corruption detected."""

import numpy as np
import pytest

from hybridrec_ref.content.cache import CacheCorruptionWarning
from hybridrec_ref.llm import ScoreCache, score_identity


def counting(scores):
    calls = []

    def compute(prompts):
        calls.append(list(prompts))
        return np.asarray(scores[:len(prompts)])

    return compute, calls


def test_round_trip_and_keys(tmp_path):
    cache = ScoreCache(tmp_path)
    ident = score_identity("model|sha256=abc", kind="yes_no", dtype="float32")
    compute, calls = counting([0.5, -1.25, 3.0])
    first = cache.get_or_compute(ident, ["a", "b", "c"], compute)
    again = cache.get_or_compute(ident, ["a", "b", "c"], compute)
    assert len(calls) == 1 and np.array_equal(first, again) and np.allclose(first, [0.5, -1.25, 3.0])
    assert cache.hits == 1 and cache.misses == 1
    cache.get_or_compute(ident, ["a", "c", "b"], compute)  # order matters
    cache.get_or_compute(score_identity("model|sha256=abd", kind="yes_no", dtype="float32"), ["a", "b", "c"], compute)
    cache.get_or_compute(score_identity("model|sha256=abc", kind="yes_no", dtype="bfloat16"), ["a", "b", "c"], compute)
    assert len(calls) == 4
    assert score_identity("m", a=1, b=2) == score_identity("m", b=2, a=1)


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_corruption_is_detected_and_recomputed(tmp_path, damage):
    cache = ScoreCache(tmp_path)
    ident = score_identity("m", kind="yes_no")
    compute, calls = counting([1.0, 2.0])
    cache.get_or_compute(ident, ["x", "y"], compute)
    path = cache.path(ident, ["x", "y"])
    data = bytearray(path.read_bytes())
    if damage == "flip":
        # change one stored score without touching the zip structure: rewrite with a wrong array, same digest
        import io
        with np.load(path) as f:
            key, digest = f["key"], f["digest"]
        buf = io.BytesIO()
        np.savez(buf, embeddings=np.array([[1.0], [2.5]], dtype=np.float32), key=key, digest=digest)
        path.write_bytes(buf.getvalue())
    else:
        path.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.warns(CacheCorruptionWarning):
        out = cache.get_or_compute(ident, ["x", "y"], compute)
    assert len(calls) == 2 and np.allclose(out, [1.0, 2.0])


def test_disabled_cache_and_bad_compute(tmp_path):
    compute, calls = counting([1.0, 2.0])
    assert np.allclose(ScoreCache(None).get_or_compute("m", ["a", "b"], compute), [1.0, 2.0])
    with pytest.raises(ValueError):
        ScoreCache(tmp_path).get_or_compute("m", ["a", "b", "c"], compute)  # 2 scores for 3 prompts
    with pytest.raises(ValueError):
        score_identity("")
