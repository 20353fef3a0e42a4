"""Chapter 7 (co-training vs alternating training) executes and records the numbers its prose cites.

Expected values were measured on the full run (CPU, one torch thread, seeds fixed). Tolerances: exact for
counts and for the split; the trained models' metrics get an absolute 0.01-0.015 (torch's float32
summation order can differ between machines and BLAS builds, which moves sampled-negative training slightly);
p-values are only checked as relations.
"""

from conftest import approx

NB = "07_training_strategies.ipynb"
KEYS = ("n_cold", "n_train", "n_epochs", "alt_gain_cf", "alt_gain_lm", "joint_last_ndcg", "alt_last_ndcg",
        "joint_epoch1_ndcg", "alt_epoch1_ndcg", "joint_epoch2_ndcg", "alt_epoch2_ndcg",
        "joint_best_valid", "alt_best_valid", "joint_reach95", "alt_reach95", "joint_best_epoch", "alt_best_epoch",
        "joint_ndcg", "joint_ndcg_lo", "joint_ndcg_hi", "alt_ndcg", "alt_ndcg_lo", "alt_ndcg_hi",
        "joint_cold_recall", "joint_cold_recall_lo", "joint_cold_recall_hi", "alt_cold_recall", "alt_cold_recall_lo",
        "alt_cold_recall_hi", "content_cold_recall", "content_ndcg", "n_seeds", "t_dof", "t_crit", "pair_diff",
        "pair_lo", "pair_hi", "pair_t_p", "pair_w_p", "pair_n", "runtime_s", "fig_convergence",
        "cfonly_ndcg", "cfonly_cold_recall", "als_ndcg", "als_cold_recall", "text_gain", "text_gain_lo",
        "text_gain_hi", "vs_als", "vs_als_lo", "vs_als_hi")


def test_chapter_7_runs_and_glues_every_key(executed_notebook):
    g = executed_notebook(NB)
    for key in KEYS:
        assert key in g, key
    assert g["n_seeds"] >= 3  # the issue asks for at least 3 seeds
    for key in ("joint", "alt"):
        assert g[f"{key}_ndcg_lo"] <= g[f"{key}_ndcg"] <= g[f"{key}_ndcg_hi"]
        assert g[f"{key}_cold_recall_lo"] <= g[f"{key}_cold_recall"] <= g[f"{key}_cold_recall_hi"]
    assert g["pair_lo"] <= g["pair_diff"] <= g["pair_hi"]
    assert g["text_gain_lo"] <= g["text_gain"] <= g["text_gain_hi"] and g["vs_als_lo"] <= g["vs_als"] <= g["vs_als_hi"]
    assert 0 <= g["pair_t_p"] <= 1 and 0 <= g["pair_w_p"] <= 1
    # co-training updates both parts from the first step; alternating only the CF part in epoch 1
    assert g["joint_epoch1_ndcg"] > g["alt_epoch1_ndcg"]


def test_chapter_7_full_run_values(executed_notebook, full_run):
    g = executed_notebook(NB)
    # the split is exact
    assert (g["n_cold"], g["n_train"], g["n_epochs"], g["pair_n"]) == (336, 64212, 16, 943)
    assert g["t_crit"] == approx(4.3027, 1e-4)
    # seeds fixed, one torch thread; tolerance covers float32 summation order on other machines/BLAS builds
    assert g["joint_epoch1_ndcg"] == approx(0.0627, 0.01)
    assert g["alt_epoch1_ndcg"] == approx(0.0163, 0.01)
    assert g["joint_best_valid"] == approx(0.1728, 0.01)
    assert g["alt_best_valid"] == approx(0.1734, 0.01)
    assert g["joint_best_epoch"] == approx(6.0, 1.5)
    assert g["alt_best_epoch"] == approx(11.33, 2.5)
    assert g["joint_ndcg"] == approx(0.3378, 0.01)
    assert g["alt_ndcg"] == approx(0.3366, 0.01)
    assert g["joint_cold_recall"] == approx(0.0332, 0.01)
    assert g["alt_cold_recall"] == approx(0.0301, 0.01)
    assert g["content_cold_recall"] == approx(0.0144, 1e-3)  # deterministic content profile
    assert g["content_ndcg"] == approx(0.0551, 1e-3)
    assert g["pair_diff"] == approx(-0.0025, 0.006)
    # the story the prose tells
    assert g["joint_reach95"] < g["alt_reach95"]  # co-training converges in fewer epochs
    assert g["joint_best_epoch"] < g["alt_best_epoch"]
    assert g["alt_gain_cf"] > g["alt_gain_lm"] > 0  # CF epochs move the alternating curve most
    assert g["joint_last_ndcg"] < g["joint_best_valid"] - 0.02  # co-training overfits after its best epoch
    assert g["joint_last_ndcg"] < g["alt_last_ndcg"]
    # stopped at their validated epochs, the two end in about the same place
    assert g["joint_ndcg_lo"] < g["alt_ndcg_hi"] and g["alt_ndcg_lo"] < g["joint_ndcg_hi"]
    assert g["pair_lo"] < 0 < g["pair_hi"] and g["pair_t_p"] > 0.05 and g["pair_w_p"] > 0.05
    # the ablation and ALS (the prose's claims): the text helps, warm users included, yet ALS stays ahead
    assert g["text_gain_lo"] > 0 and g["vs_als_hi"] < 0
    assert g["cfonly_cold_recall"] < g["joint_cold_recall"] and g["cfonly_ndcg"] < g["joint_ndcg"] < g["als_ndcg"]
    assert g["cfonly_ndcg"] == approx(0.3173, 0.01)
    assert g["text_gain"] == approx(0.0187, 0.01)
    assert g["als_ndcg"] == approx(0.3931, 0.005)  # chapter 6 measures 0.3931 on this split too
    # both beat the content profile on cold movies
    assert min(g["joint_cold_recall"], g["alt_cold_recall"]) > g["content_cold_recall"]
