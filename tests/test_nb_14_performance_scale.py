"""Chapter 14 (performance, distribution, scale) executes and records the numbers its prose cites.

Times and memory depend on the machine and its load, so they are checked only as the relations the
prose claims (with wide margins) or for sanity. Model quality is checked against the full run
(CPU, THREADS=1, seeds fixed, a shared 2-core machine) with the tolerance stated beside each value:
0.01 for the seeded factor models (float32 summation order differs between BLAS builds and
thread counts), 0.02 where FAISS k-means or Spark's partitioning also vary, 1e-4 for seeded pure-numpy
arithmetic.
"""

import pytest

from conftest import approx

NB = "14_performance_scale.ipynb"
KEYS = ("n_train", "n_ml1m", "ml1m_users", "ml1m_items", "device", "als_1thread_s", "als_nthread_s", "max_threads",
        "threads", "thread_speedup", *(f"als_{k}_{m}" for k in ("exact", "cg", "imp_exact", "imp_cg") for m in ("s", "mb", "ndcg")),
        "als_cg_ratio", "als_exact_ratio", "ddp_max_diff", "ddp_rmse_single", "ddp_rmse_two", "ddp_single_s",
        "ddp_two_s", "ddp_epoch_s", "ddp_epochs", "spark_ndcg", "spark_ours_ndcg", "spark_s", "spark_iters",
        "als_iters", "enc_texts", *(f"enc_{c}_{m}" for c in ("none", "int8", "fp16") for m in ("ms", "mb", "cos")),
        "content_fp32_ndcg", "content_int8_ndcg", "lr_full_ndcg", "lr_32_ndcg", "lr_16_ndcg", "lr_8_ndcg",
        "pq8_ndcg", "pq8_bytes", "pq16_ndcg", "pq16_bytes", "pq_bits", "als16_ndcg", "als_reg3_ndcg",
        "lr_16_reg3_ndcg", "lr_8_reg3_ndcg",
        "cache_miss_s", "cache_hit_s", "cache_speedup", "lru_hit_20", "lru_hit_100", "lru_hit_400", "lru_saved_s",
        "ann_items", "ann_queries", "exact_ms", "raw_mb", "hnsw_mb", "ivf_mb", "ivf_lists",
        *(f"{k}_{m}" for k in ("hnsw16", "hnsw64", "hnsw256", "ivf8", "ivf64") for m in ("recall", "ms")),
        "scale_iters", "scale_bpr_epochs", "scale_fits", "scale_fits_ok",
        *(f"{m}_{s}_{u}" for m in ("mostpopular", "itemknn", "ease", "als", "bpr")
          for s in ("100k", "1m") for u in ("s", "mb")),
        "bpr_default_epochs", "bpr_full_1m_s", "ease_limit_items", "ease_100k_predicted_mb", "ease_1m_predicted_mb",
        "beyond_n", "beyond_items", "beyond_ease_predicted_gb", "budget_gb", "beyond_ease_status",
        "beyond_ease_stopped_s", "beyond_als_status", "beyond_als_s", "beyond_als_mb", "runtime_s", "fig_scale",
        "llm_pairs", "fp16_prompts", *(f"llm_{c}_{m}" for c in ("none", "int8", "fp16") for m in ("mb", "s")),
        "llm_none_auc", "llm_int8_auc", "llm_int8_spearman", "llm_int8_maxdiff", "llm_fp16_maxdiff")


def test_chapter_14_runs_and_glues_every_key(executed_notebook):
    g = executed_notebook(NB)
    for key in KEYS:
        assert key in g, key
    # DDP: two gloo processes take the single process's steps (float summation order only);
    # the wall time includes the training epochs and the launch on top
    assert g["ddp_max_diff"] < 1e-3
    assert g["ddp_rmse_two"] == approx(g["ddp_rmse_single"], 1e-4)
    assert g["ddp_two_s"] > g["ddp_epochs"] * g["ddp_epoch_s"]
    # compression: int8 is smaller and close; fp16 smaller still and closer
    assert g["enc_int8_mb"] < 0.75 * g["enc_none_mb"] and g["enc_fp16_mb"] < 0.6 * g["enc_none_mb"]
    assert 0.8 < g["enc_int8_cos"] < g["enc_fp16_cos"] <= 1.0 + 1e-6
    # the chapter-10 LLM: int8 and fp16 halve it; fp16 keeps its scores, int8 (dynamic) does not
    assert g["llm_int8_mb"] < 0.6 * g["llm_none_mb"] and g["llm_fp16_mb"] < 0.6 * g["llm_none_mb"]
    assert g["llm_fp16_maxdiff"] < 0.1 and g["llm_int8_maxdiff"] > 10 * g["llm_fp16_maxdiff"]
    assert g["llm_int8_spearman"] < 0.5
    # caches: a hit is much faster than a miss; larger LRU caches hit more
    assert g["cache_speedup"] > 5
    assert g["lru_hit_20"] < g["lru_hit_100"] < g["lru_hit_400"]
    # retrieval: more search breadth finds more of the exact top-10; the HNSW graph costs memory
    assert g["hnsw16_recall"] <= g["hnsw64_recall"] <= g["hnsw256_recall"] <= 1.0
    assert g["ivf8_recall"] < g["ivf64_recall"] <= 1.0
    assert g["hnsw_mb"] > g["raw_mb"] and g["ivf_mb"] == pytest.approx(g["raw_mb"], rel=0.5)
    # scale curves: every fit of the curve fits the budget; EASE on the synthetic catalogue does not
    # (its formula alone exceeds the budget) and is stopped for memory, not awaited; ALS fits the same set
    assert g["scale_fits_ok"] == g["scale_fits"] == 10
    assert g["beyond_ease_predicted_gb"] > g["budget_gb"]
    assert g["beyond_ease_status"] == "memory" and 0 < g["beyond_ease_stopped_s"] < 60
    assert g["beyond_als_status"] == "ok" and g["beyond_als_mb"] < 1024 * g["budget_gb"]
    # EASE's 20 n^2 bytes is a lower bound of the measured peak (the prose says so)
    assert g["ease_1m_mb"] > g["ease_1m_predicted_mb"] and g["ease_100k_mb"] > g["ease_100k_predicted_mb"]
    assert g["ease_limit_items"] == approx(35_896, 1)  # sqrt(24 GiB / 20 B)
    assert g["bpr_full_1m_s"] == pytest.approx(g["bpr_default_epochs"] * g["bpr_1m_s"] / g["scale_bpr_epochs"])
    assert g["bpr_default_epochs"] == 40 and g["scale_bpr_epochs"] == 1


def test_chapter_14_full_run_values(executed_notebook, full_run):
    g = executed_notebook(NB)
    assert (g["n_train"], g["n_ml1m"], g["ml1m_users"], g["ml1m_items"]) == (80_000, 1_000_209, 6040, 3706)
    assert (g["beyond_n"], g["beyond_items"], g["budget_gb"]) == (300_000, 12_000, 2)
    # ALS solvers on ML-100k (seeded; 0.01 for float32 order): CG reaches the exact solver's quality
    assert g["als_exact_ndcg"] == approx(0.3779, 0.01)
    assert g["als_cg_ndcg"] == approx(0.3778, 0.01)
    assert g["als_cg_ndcg"] == approx(g["als_exact_ndcg"], 0.01)
    assert g["als_imp_cg_ndcg"] == approx(0.3771, 0.01)
    assert g["als_imp_exact_ndcg"] == approx(0.3745, 0.01)
    # speed (CG vs exact, ours vs implicit) is reported, not asserted: it moves with the machine's load;
    # benchmarks/bench_peers.py measures the ratios with equal threads
    assert g["als_cg_s"] > 0 and g["als_cg_ratio"] > 0 and g["thread_speedup"] > 0
    # DDP (seeded, gloo): RMSE 0.9733
    assert g["ddp_rmse_single"] == approx(0.9733, 0.002)
    # Spark's ALS (local mode) ranks about as well as ours at the same iterations, far more slowly
    assert g["spark_ndcg"] == approx(0.3923, 0.02)
    assert g["spark_ours_ndcg"] == approx(0.3786, 0.01)
    assert abs(g["spark_ndcg"] - g["spark_ours_ndcg"]) < 0.05
    assert g["spark_s"] > g["als_cg_s"]
    # the encoder: int8 vectors close to fp32's (cosine 0.948), fp16 the slowest on this CPU
    assert g["enc_int8_cos"] == approx(0.9477, 0.01)
    assert g["enc_fp16_ms"] > max(g["enc_none_ms"], g["enc_int8_ms"])
    assert g["content_fp32_ndcg"] == approx(0.0383, 0.002)   # deterministic content profile
    assert g["content_int8_ndcg"] == approx(0.0344, 0.003)
    # the LLM on 40 warm pairs of chapter 10's protocol, float32: forward passes only (0.01)
    assert g["llm_pairs"] == 40 and g["llm_none_auc"] == approx(0.625, 0.01)
    # int8: what the prose claims (half the memory, little of the full model's ranking left). The
    # values themselves depend on the CPU's int8 kernels, so they are not pinned: this cell gave AUC
    # 0.592 and Spearman 0.27 on one 2-core CPU and AUC 0.494 and Spearman 0.006 on an AMD EPYC with
    # AVX512 (two clean-clone CI runs).
    assert g["llm_int8_mb"] < 0.5 * g["llm_none_mb"]
    assert g["llm_int8_spearman"] < 0.5 and g["llm_int8_auc"] < g["llm_none_auc"]
    # item-factor compression: low rank RAISES NDCG@10 (the 64-factor model overfits); rank 8 gives
    # back part of rank 16's gain; both controls (16 factors; 3x reg) beat the 64-factor model too
    assert g["lr_full_ndcg"] == approx(0.3778, 0.01)
    assert g["lr_32_ndcg"] == approx(0.4221, 0.01)
    assert g["lr_16_ndcg"] == approx(0.4403, 0.01)
    assert g["lr_8_ndcg"] == approx(0.4149, 0.01)
    assert g["als16_ndcg"] == approx(0.4314, 0.01)
    assert g["als_reg3_ndcg"] == approx(0.4400, 0.01)
    assert g["lr_full_ndcg"] < g["lr_32_ndcg"] and g["lr_full_ndcg"] < g["lr_16_ndcg"]
    assert g["lr_8_ndcg"] < g["lr_16_ndcg"]
    assert g["als16_ndcg"] > g["lr_full_ndcg"] + 0.02 and g["als_reg3_ndcg"] > g["lr_full_ndcg"] + 0.02
    # on the better-regularised model truncation has less to remove (rank 16: +0.005 vs +0.063) and rank 8 loses
    assert g["lr_16_reg3_ndcg"] == approx(0.4446, 0.01)
    assert g["lr_8_reg3_ndcg"] == approx(0.4143, 0.01)
    assert g["lr_16_reg3_ndcg"] - g["als_reg3_ndcg"] < 0.5 * (g["lr_16_ndcg"] - g["lr_full_ndcg"])
    assert g["lr_8_reg3_ndcg"] < g["als_reg3_ndcg"]
    # product quantisation (4 bits on 1,682 items) loses NDCG@10; 16 sub-vectors lose less than 8
    assert g["pq_bits"] == 4
    assert g["pq8_ndcg"] == approx(0.2976, 0.02)
    assert g["pq16_ndcg"] == approx(0.3320, 0.02)
    assert g["pq8_ndcg"] < g["pq16_ndcg"] < g["lr_full_ndcg"]
    assert g["pq8_bytes"] < g["pq16_bytes"] < 0.1 * 256
    # LRU hit rates: seeded draws, exact arithmetic
    assert (g["lru_hit_20"], g["lru_hit_100"], g["lru_hit_400"]) == (approx(0.03275, 1e-4), approx(0.15995, 1e-4),
                                                                      approx(0.54445, 1e-4))
    # retrieval on 100,000 synthetic vectors (the graph is built with 2 threads: 0.02)
    assert g["hnsw64_recall"] == approx(0.986, 0.02)
    assert g["hnsw256_recall"] > 0.99
    assert g["ivf8_recall"] == approx(0.394, 0.05)
    # EASE's measured peak on ML-1M: above 20 n^2 bytes (measured 1.5-1.8x), not wildly so
    assert g["ease_1m_mb"] < 2.5 * g["ease_1m_predicted_mb"]
    # the chapter's full run (measured 185 s with THREADS=1 on a quiet 2-core machine, LLM section included)
    assert g["runtime_s"] < 600
