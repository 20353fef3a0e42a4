"""Chapter 6 executes; its recorded numbers match the full run and support what the prose says.

Expected values: full CPU run, seeds fixed. Tolerances: 2e-3 for deterministic
closed-form/kNN models, 0.01 for models trained with sampled negatives or
random initialisation (ALS, BPR) and for everything built on them.
"""

from conftest import approx

NB = "06_hybrid_design.ipynb"


def test_chapter_6_runs_and_glues(executed_notebook):
    g = executed_notebook(NB)
    for key in ("best_single", "fa_ndcg", "fa_cold_recall", "content_cold_recall", "fa_vs_single_p",
                "sweep_target", "fig_designs", "fig_calibration", "pipeline_ndcg"):
        assert key in g, key
    # CF-only hybrids cannot recommend cold items; the pipeline is the same model as feature augmentation
    assert g["weighted_cold_recall"] == 0.0
    assert g["pipeline_ndcg"] == approx(g["fa_ndcg"], 1e-9)
    # random-cold and temporal-cold side by side (issue 9, section 3); intervals contain their estimates
    for split in ("random", "temporal"):
        for model in ("als", "content", "mixed"):
            for what in ("ndcg", "cold_recall", "cold_slots"):
                assert f"{split}_{model}_{what}" in g, (split, model, what)
        assert g[f"{split}_mixed_diff_low"] <= g[f"{split}_mixed_diff"] <= g[f"{split}_mixed_diff_high"]
        assert 0 <= g[f"{split}_mixed_p"] <= 1
        assert g[f"{split}_als_cold_recall"] == 0.0        # ALS cannot recommend a movie without ratings
    # the side-by-side table's random-cold column is the results table's
    assert g["random_als_ndcg"] == approx(g["best_single_ndcg"], 1e-9)
    for key in ("temporal_n_cold", "temporal_n_users", "temporal_user_share_pct", "temporal_cold_share_pct",
                "temporal_mixed_cold0"):
        assert key in g, key


def test_chapter_6_full_run_values(executed_notebook, full_run):
    g = executed_notebook(NB)
    assert g["n_cold"] == 336
    assert g["best_single"] == "ALS"
    assert g["best_single_ndcg"] == approx(0.3931, 0.01)
    assert g["sasrec_ndcg"] == approx(0.190, 0.02)     # chapter 5's settings; trained with random init
    assert g["sasrec_ndcg"] < g["bpr_ndcg"] < g["best_single_ndcg"]
    assert g["knn_ndcg"] == approx(0.3585, 2e-3)
    assert g["content_cold_recall"] == approx(0.0144, 2e-3)
    assert g["fa_ndcg"] == approx(0.338, 0.015)
    assert g["fa_cold_recall"] == approx(0.0888, 0.02)
    assert g["bf_ndcg"] == approx(0.4031, 0.01)
    assert g["bf_cold_recall"] == approx(0.0446, 0.01)
    assert g["ridge_top_title"] == "Transformers: The Movie, The" and g["ridge_top_share"] > 0.5
    # issue #5 acceptance: the best fusion model (the mixed design) recommends cold movies at least
    # twice as well as the content model and is not significantly below the best single model
    assert g["best_fusion"] == "Mixed: rank-calibrated merge"
    assert g["bf_cold_ratio"] >= 2
    assert g["bf_vs_single_high"] > 0           # the interval reaches above zero: not significantly below
    assert g["bf_vs_single_diff"] > 0           # measured: +0.010 [+0.006, +0.014], above ALS
    # what the prose says: feature augmentation recommends more cold movies but is significantly below ALS;
    # the calibration sweep's best point reaching 2x content costs NDCG, and the mixed design beats every point
    assert g["fa_cold_recall"] > g["bf_cold_recall"] > g["content_cold_recall"]
    assert g["fa_vs_single_high"] < 0 and g["fa_vs_single_p"] < 0.01
    assert g["sweep_n_reaching"] > 0 and g["sweep_reach_cost"] > 0
    assert g["bf_ndcg"] > g["sweep_max_ndcg"]
    assert g["knn_top_share"] < g["ridge_top_share"]
    assert 1 < g["mixed_first_cold_slot"] <= 10
    # issue 9 section 3: the temporal new-item split (seeded, deterministic split: exact counts)
    assert (g["temporal_n_cold"], g["temporal_n_users"]) == (25, 109)
    assert g["temporal_als_ndcg"] == approx(0.1896, 0.01)
    assert g["temporal_mixed_ndcg"] == approx(0.1896, 0.01)    # measured: exactly ALS (no new movie gets a slot)
    assert g["temporal_content_cold_recall"] == approx(0.0101, 2e-3)
    # acceptance: not significantly below its warm model on either split (interval reaches zero or above);
    # on random cold movies cold recall >= 2x the content model's
    assert g["random_mixed_diff_high"] >= 0 and g["temporal_mixed_diff_high"] >= 0
    assert g["random_mixed_cold_recall"] >= 2 * g["random_content_cold_recall"]
    # what the prose says: calibrated on temporal inner splits, real new movies get (almost) no slot
    assert g["temporal_mixed_cold_slots"] < 0.5 and g["random_mixed_cold_slots"] > 1
    assert g["temporal_content_cold_recall"] > g["temporal_mixed_cold_recall"]
    assert g["temporal_content_ndcg"] < g["temporal_mixed_ndcg"]
