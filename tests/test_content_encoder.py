"""Transformer text encoder (hybridrec_ref.content.encoder), offline all-MiniLM-L6-v2."""

import numpy as np
import pytest

from hybridrec_ref.content import TextEncoder, default_model_path

SENTENCES = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]


@pytest.fixture(scope="module")
def encoder():
    return TextEncoder(device="cpu")


def test_default_model_is_packaged_offline():
    path = default_model_path()
    assert (path / "config.json").exists() and (path / "model.safetensors").exists()


def test_matches_sentence_transformers_reference(encoder):
    x = encoder.encode(SENTENCES)
    assert x.shape == (3, 384) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    # similarities printed in the sentence-transformers model card for all-MiniLM-L6-v2
    sim = x @ x.T
    np.testing.assert_allclose([sim[0, 1], sim[0, 2], sim[1, 2]], [0.6660, 0.1046, 0.1411], atol=2e-3)


def test_batching_and_length_sorting_keep_input_order(encoder):
    texts = ["short", "a much longer sentence about movies and genres", "mid length text"]
    one = TextEncoder(device="cpu", batch_size=1)
    one._tokenizer, one._model, one.device_ = encoder._tokenizer, encoder._model, encoder.device_
    np.testing.assert_allclose(encoder.encode(texts), one.encode(texts), atol=1e-5)
    np.testing.assert_allclose(encoder.encode(texts[::-1]), encoder.encode(texts)[::-1], atol=1e-5)


def test_cache_is_used(tmp_path, encoder, monkeypatch):
    enc = TextEncoder(device="cpu", cache_dir=tmp_path)
    enc._tokenizer, enc._model, enc.device_ = encoder._tokenizer, encoder._model, encoder.device_
    first = enc.encode(SENTENCES[:2])
    assert len(list(tmp_path.glob("*.npz"))) == 1

    def fail(texts):
        raise AssertionError("should have been read from the cache")

    monkeypatch.setattr(enc, "_encode", fail)
    np.testing.assert_array_equal(enc.encode(SENTENCES[:2]), first)
    assert TextEncoder(max_length=64).cache_id != TextEncoder().cache_id


def test_bad_input(encoder):
    with pytest.raises(TypeError, match="single string"):
        encoder.encode("one sentence")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        encoder.encode(["ok", 3])
    with pytest.raises(ValueError, match=r"texts\[0\] is empty"):
        encoder.encode(["  "])
    with pytest.raises(ValueError, match="batch_size"):
        TextEncoder(batch_size=0)
    with pytest.raises(ValueError, match="max_length"):
        TextEncoder(max_length=1)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        TextEncoder(model="/nonexistent/model/dir").encode(["x"])
    assert encoder.encode([]).shape == (0, 384)


def test_hub_ids_are_not_mistaken_for_missing_paths():
    from hybridrec_ref.content.encoder import DEFAULT_MODEL

    assert TextEncoder(model=f"sentence-transformers/{DEFAULT_MODEL}").model_path == str(default_model_path())
    assert TextEncoder(model="org/some-model").model_path == "org/some-model"
