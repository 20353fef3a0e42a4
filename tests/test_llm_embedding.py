"""The LLM as a text encoder (chapter 11): mean-pooled decoder states, padding-free, cached."""

import numpy as np
import pytest
import torch
from llm_tiny import tiny_lm

from hybridrec_ref.content.cache import EmbeddingCache
from hybridrec_ref.llm.embedding import LLMEncoder

TEXTS = ["Toy Story", "The user liked Heat , Casino and Fargo .", "Alien", "Jaws Up"]


def test_vectors_are_mean_pooled_decoder_states_in_input_order():
    lm = tiny_lm()
    enc = LLMEncoder(lm, batch_size=3)
    out = enc.encode(TEXTS)
    assert out.shape == (4, enc.dim) == (4, 32) and out.dtype == np.float32
    with torch.no_grad():   # one text at a time, no padding at all: the hand-computed mean
        for i, t in enumerate(TEXTS):
            ids = lm.tokenizer(t, return_tensors="pt")
            h = lm.model.model(**ids).last_hidden_state[0].mean(0)
            np.testing.assert_allclose(out[i], torch.nn.functional.normalize(h, dim=0).numpy(), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_truncation_and_cache_identity(tmp_path):
    lm = tiny_lm()
    short = LLMEncoder(lm, max_length=2).encode(TEXTS)
    np.testing.assert_allclose(short[1], LLMEncoder(lm).encode(["The user"])[0], atol=1e-5)
    cached = LLMEncoder(lm, cache_dir=tmp_path)
    first = cached.encode(TEXTS)
    assert len(list(tmp_path.iterdir())) == 1
    np.testing.assert_array_equal(EmbeddingCache(tmp_path).load(cached.cache_id, TEXTS), first)
    # another model's vectors never come out of this model's cache entry
    assert LLMEncoder(tiny_lm(seed=1)).cache_id != cached.cache_id


def test_rejects_what_is_not_a_loaded_lm():
    with pytest.raises(TypeError, match="PretrainedLM"):
        LLMEncoder("HuggingFaceTB/SmolLM2-135M-Instruct")
    with pytest.raises(ValueError, match="empty"):
        LLMEncoder(tiny_lm()).encode(["Alien", " "])
