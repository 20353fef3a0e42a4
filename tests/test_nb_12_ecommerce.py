"""Chapter 12 (an e-commerce recommender) executes and records the numbers its prose cites.

The first test checks every glued key and the relations the prose claims. The full-run test pins
the values of one full clean-clone run (CPU, 2 cores), with the tolerance stated beside each:
counts from the seeded split and the loaders' cleaning are exact; EASE, item-kNN, popularity and
the content profile are closed forms or forward passes (last digits move with BLAS); ALS, the
fusion (ALS inside it) and the classifiers are seeded iterative fits, so summation order moves them
more.
"""

from conftest import approx

NB = "12_ecommerce.ipynb"
KEYS = ("min_core", "load_s", "n_interactions", "n_users", "n_books", "implicit_pct", "explicit_mean",
        "top10_share_pct", "gini", "fig_books", "cold_pct", "test_pct", "cold_share_pct", "encode_s", "book_words",
        "ease_peak_mb", "ease_fit_s", "als_fit_s", "ease_matrix_mb", "ease_full_matrix_gb", "fusion_fit_s",
        "best_single", "best_cold_single", "single_ndcg", "fusion_ndcg", "als_ndcg", "ease_ndcg", "content_ndcg",
        "pop_ndcg", "knn_ndcg", "single_cold_recall", "fusion_cold_recall", "als_cold_recall",
        "content_cold_recall", "als_explicit_recall", "als_implicit_recall",
        "overall_diff", "overall_low", "overall_high", "overall_p", "overall_n",
        "cold_diff", "cold_low", "cold_high", "cold_p", "cold_n", "fusion_cold_slots",
        "n_reviews", "n_clothing_items", "review_words", "recommended_pct", "n_profiled", "profile_encode_s",
        "agree_minilm", "agree_tfidf", "agree_chance", "review_encode_s", "n_classify", "auc_minilm", "auc_tfidf",
        "auc_diff", "auc_diff_low", "auc_diff_high", "fusion_precision", "fusion_recall", "fusion_f1", "single_f1",
        "runtime_s", "summary_s", "n_summaries", "summary_words", "invented_pct", "luxurious_pct",
        "llm_mrr", "llm_top10_pct", "llm_median_rank", "extract_mrr", "extract_top10_pct", "extract_median_rank",
        "summary_rr_diff", "summary_rr_ci_low", "summary_rr_ci_high")


def test_chapter_12_runs_and_glues_every_key(executed_notebook):
    g = executed_notebook(NB)
    for key in KEYS:
        assert key in g, key
    assert g["n_reviews"] == 22641 and g["n_clothing_items"] == 1179     # the loader's cleaning (exact)
    assert 0 < g["implicit_pct"] < 100 and 1 <= g["explicit_mean"] <= 10
    assert 0 <= g["gini"] <= 1 and g["top10_share_pct"] > 10             # a long tail: the top tenth holds more
    for part in ("overall", "cold"):
        assert g[f"{part}_low"] <= g[f"{part}_diff"] <= g[f"{part}_high"] and 0 <= g[f"{part}_p"] <= 1
    assert g["auc_diff_low"] <= g["auc_diff"] <= g["auc_diff_high"]
    assert abs(g["auc_diff"] - (g["auc_minilm"] - g["auc_tfidf"])) < 1e-12
    # the prose: CF cannot rank new books, the fusion can; text neighbours beat chance at finding the same class
    assert g["als_cold_recall"] < g["fusion_cold_recall"]
    assert g["agree_minilm"] > g["agree_chance"] and g["agree_tfidf"] > g["agree_chance"]
    assert 0.5 < g["auc_minilm"] <= 1 and 0.5 < g["auc_tfidf"] <= 1
    # the outline's F1 of 0.88 is far above what a top-10 list over thousands of books reaches
    assert g["fusion_f1"] < 0.88 / 4
    assert 0 <= g["fusion_cold_slots"] <= 10
    assert g["summary_rr_ci_low"] <= g["summary_rr_diff"] <= g["summary_rr_ci_high"]
    assert g["summary_rr_diff"] == approx(g["llm_mrr"] - g["extract_mrr"], 1e-9)
    assert 0 <= g["invented_pct"] <= 100 and 1 <= g["llm_median_rank"] <= g["n_profiled"]


def test_chapter_12_full_run_values(executed_notebook, full_run):
    g = executed_notebook(NB)
    # exact: the loaders' cleaning and the seeded split
    assert (g["min_core"], g["n_interactions"], g["n_users"], g["n_books"]) == (20, 195636, 2560, 4276)
    assert (g["overall_n"], g["cold_n"], g["n_profiled"], g["n_classify"]) == (2560, 2553, 365, 3000)
    assert g["implicit_pct"] == approx(70.676, 1e-3) and g["cold_share_pct"] == approx(55.523, 1e-3)
    assert (g["best_single"], g["best_cold_single"]) == ("EASE", "Content (MiniLM profile)")
    # the result the page shows: the fusion above the best single model overall and on new books
    assert g["overall_low"] > 0 and g["cold_low"] > 0
    # closed forms and forward passes
    assert g["ease_ndcg"] == approx(0.1051, 0.003)
    assert g["knn_ndcg"] == approx(0.1046, 0.003)
    assert g["pop_ndcg"] == approx(0.0358, 0.002)
    assert g["content_ndcg"] == approx(0.0253, 0.003)
    assert g["content_cold_recall"] == approx(0.0139, 0.003)
    assert g["agree_minilm"] == approx(0.3956, 0.01) and g["agree_tfidf"] == approx(0.5337, 0.01)
    # seeded iterative fits
    assert g["als_ndcg"] == approx(0.0872, 0.01)
    assert g["fusion_ndcg"] == approx(0.1223, 0.01)
    assert g["fusion_cold_recall"] == approx(0.0635, 0.01)
    assert g["overall_diff"] == approx(0.0172, 0.01) and g["cold_diff"] == approx(0.0497, 0.01)
    assert g["auc_minilm"] == approx(0.9195, 0.01) and g["auc_tfidf"] == approx(0.9378, 0.01)
    assert g["fusion_f1"] == approx(0.0761, 0.005) and g["single_f1"] == approx(0.0577, 0.005)
    # LLM summaries of 40 clothing items (greedy, float32): what the prose says of them
    assert g["n_summaries"] == 40
    assert g["summary_words"] == approx(28.7, 1.0) and g["invented_pct"] == approx(55.5, 3.0)
    assert g["llm_median_rank"] == approx(76.5, 10) and g["extract_median_rank"] == approx(45.0, 3)
    assert g["extract_mrr"] == approx(0.121, 0.01)      # no LLM in it: MiniLM on fixed texts
    assert g["llm_mrr"] < g["extract_mrr"] and g["llm_top10_pct"] < g["extract_top10_pct"]
    assert g["llm_median_rank"] > g["extract_median_rank"]
    assert g["summary_rr_ci_low"] < 0 < g["summary_rr_ci_high"]   # "do not help", not "hurt"
    assert g["luxurious_pct"] == approx(57.5, 10.0)   # 23 of 40 call the item "luxurious"
