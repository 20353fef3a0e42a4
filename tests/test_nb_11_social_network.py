"""Chapter 11 (a social-network recommender) executes and records the numbers its prose cites.

Expected values were measured on the full run (CPU, one torch thread, seeds fixed, a shared machine).
Tolerances: exact for data counts and splits; 0.01 absolute for ranking metrics of deterministic models
(EASE, popularity, kNN, content; float32 summation order differs between BLAS builds) and 0.015 for
trained ones (ALS, the gate, SocialMF's RMSE 0.005); p-values and intervals only as relations.
"""

from conftest import approx

NB = "11_social_network.ipynb"
MODELS = ("pop", "knn", "als", "ease", "content", "mixed", "gated")
KEYS = (["ibm_clicks", "ibm_pairs", "ibm_users", "ibm_items", "ibm_with_body", "ibm_body_words", "ibm_title_words",
         "ibm_desc_words", "ibm_text_words", "ibm_body_click_pct", "ibm_single_user_pct", "ciao_ratings",
         "ciao_users", "ciao_items", "ciao_edges", "ciao_trusters", "ciao_median_ratings", "encode_s", "cold_pct",
         "test_pct", "n_cold_items", "cold_share_pct", "tune_s", "best_single", "fusion", "n_cold_users",
         "cu_pop_ndcg", "cu_ease_ndcg", "cu_switch_ndcg", "ciao_light_label", "ciao_trusted_rated_pct", "social_reg",
         "stream_none_ndcg", "stream_refit_ndcg", "stream_gated_ndcg", "stream_cold_item_share",
         "stream_new_user_share", "run_s", "fig_trust"]
        + [f"{m}_{s}" for m in MODELS for s in ("ndcg", "cold_recall", "warm_ndcg")]
        + [f"{r}_{m}" for r in ("trad", "fus") for m in ("precision", "recall", "f1", "ndcg")]
        + [f"pair_{k}_{f}" for k in ("all", "cold") for f in ("diff", "ci_low", "ci_high", "wilcoxon_pvalue", "n")]
        + [f"cu_pair_{f}" for f in ("diff", "ci_low", "ci_high", "wilcoxon_pvalue")]
        + [f"ciao_{w}_{s}_{f}" for w in ("all", "trust") for s in ("all", "light")
           for f in ("n", "mean_a", "mean_b", "diff", "ci_low", "ci_high")]
        + ["llm_encode_s", "llm_tokens", "llm_dim"]
        + [f"{e}_{m}_{s}" for e in ("minilm", "llm") for m in ("content", "gate") for s in ("ndcg", "cold")]
        + [f"llm_{m}_{s}_{f}" for m in ("content", "gate") for s in ("all", "cold")
           for f in ("diff", "ci_low", "ci_high", "n")])


def test_chapter_11_runs_and_glues_every_key(executed_notebook):
    g = executed_notebook(NB)
    missing = [k for k in KEYS if k not in g]
    assert not missing, missing
    # data counts are the same in SMOKE (the sample is taken after loading)
    assert (g["ibm_clicks"], g["ibm_pairs"], g["ibm_users"], g["ibm_items"], g["ibm_with_body"]) == \
        (45976, 33669, 5148, 714, 437)
    assert (g["ciao_ratings"], g["ciao_users"], g["ciao_items"], g["ciao_edges"], g["ciao_trusters"]) == \
        (72345, 17615, 16121, 22484, 894)
    assert g["ibm_body_click_pct"] == approx(46.6, 0.05)   # the "46.6% of interactions"
    for p in ("pair_all", "pair_cold", "cu_pair"):
        assert g[f"{p}_ci_low"] <= g[f"{p}_diff"] <= g[f"{p}_ci_high"]
    for w in ("all", "trust"):
        for s in ("all", "light"):
            row = {f: g[f"ciao_{w}_{s}_{f}"] for f in ("diff", "ci_low", "ci_high", "mean_a", "mean_b")}
            assert row["ci_low"] <= row["diff"] <= row["ci_high"]
            assert row["diff"] == approx(row["mean_a"] - row["mean_b"], 1e-9)
    assert g["ciao_trust_light_n"] <= g["ciao_trust_all_n"] <= g["ciao_all_all_n"]
    # the fusion and the best single model are the best of their groups
    assert g["fus_ndcg"] == max(g["mixed_ndcg"], g["gated_ndcg"])
    assert g["trad_ndcg"] == max(g[f"{m}_ndcg"] for m in ("pop", "knn", "als", "ease", "content"))
    # new users: the switching hybrid *is* popularity for them; CF scores are constant
    assert g["cu_switch_ndcg"] == approx(g["cu_pop_ndcg"], 1e-9)
    for m in ("content", "gate"):
        for s in ("all", "cold"):
            assert g[f"llm_{m}_{s}_ci_low"] <= g[f"llm_{m}_{s}_diff"] <= g[f"llm_{m}_{s}_ci_high"]
        assert g[f"llm_{m}_all_diff"] == approx(g[f"llm_{m}_ndcg"] - g[f"minilm_{m}_ndcg"], 1e-9)
    assert g["llm_dim"] == 576 and g["llm_content_all_n"] == g["pair_all_n"]
    # popularity and CF never see a new article in training: they cannot rank one above known ones on purpose
    assert g["pop_cold_recall"] == 0.0


def test_chapter_11_full_run_values(executed_notebook, full_run):
    g = executed_notebook(NB)
    assert (g["n_cold_items"], g["pair_all_n"], g["pair_cold_n"], g["n_cold_users"], g["ciao_all_all_n"],
            g["ciao_trust_all_n"], g["ciao_trust_light_n"]) == (143, 3929, 2810, 1030, 7628, 681, 92)
    assert (g["best_single"], g["fusion"]) == ("EASE", "Gated: EASE + text by history")
    assert g["ease_ndcg"] == approx(0.1168, 0.01)           # deterministic closed form
    assert g["als_ndcg"] == approx(0.0839, 0.015)
    assert g["knn_ndcg"] == approx(0.0755, 0.01)
    assert g["pop_ndcg"] == approx(0.0489, 0.01)
    assert g["content_ndcg"] == approx(0.0371, 0.01)
    assert g["content_cold_recall"] == approx(0.0451, 0.01)
    assert g["gated_ndcg"] == approx(0.1281, 0.015)
    assert g["gated_cold_recall"] == approx(0.0227, 0.01)
    assert g["mixed_ndcg"] == approx(0.0862, 0.015)
    assert g["mixed_cold_recall"] == approx(0.0229, 0.01)
    assert g["pair_all_diff"] == approx(0.0113, 0.008)
    assert g["cu_pop_ndcg"] == approx(0.0965, 0.005)
    assert g["ciao_all_all_mean_a"] == approx(0.7427, 0.005)
    assert g["ciao_all_all_mean_b"] == approx(0.7425, 0.005)
    assert g["stream_refit_ndcg"] == approx(0.0292, 0.005)
    assert g["stream_none_ndcg"] == approx(0.0257, 0.005)
    assert g["stream_gated_ndcg"] == approx(0.0067, 0.005)
    # the chapter-10 LLM as the article encoder, against MiniLM on the same 32 tokens
    assert g["llm_tokens"] == 32
    assert g["minilm_content_ndcg"] == approx(0.0374, 0.01)
    assert g["llm_content_ndcg"] == approx(0.0300, 0.01)
    assert g["minilm_gate_ndcg"] == approx(0.1283, 0.015)
    assert g["llm_gate_ndcg"] == approx(0.1272, 0.015)
    # the relations the prose claims: the LLM's text model is weaker; inside the gate the gap shrinks
    assert g["llm_content_all_ci_high"] < 0
    assert abs(g["llm_gate_all_diff"]) < abs(g["llm_content_all_diff"])
    assert g["pair_all_ci_low"] > 0 and g["pair_cold_ci_low"] > 0 and g["cu_pair_ci_low"] > 0  # fusion wins
    assert g["fus_precision"] > g["trad_precision"] and g["fus_recall"] > g["trad_recall"]
    assert g["fus_f1"] > g["trad_f1"]
    assert g["content_cold_recall"] > g["ease_cold_recall"] and g["gated_cold_recall"] > g["ease_cold_recall"]
    assert g["gated_warm_ndcg"] > g["ease_warm_ndcg"]
    assert g["mixed_ndcg"] > g["als_ndcg"] and g["mixed_cold_recall"] > g["als_cold_recall"]
    assert g["cu_switch_ndcg"] > g["cu_ease_ndcg"]
    # trust does not help: slightly worse overall (interval above zero), light trusting users: interval spans 0
    assert g["ciao_all_all_ci_low"] > 0
    assert g["ciao_trust_light_ci_low"] < 0 < g["ciao_trust_light_ci_high"]
    assert g["stream_refit_ndcg"] > g["stream_none_ndcg"] > g["stream_gated_ndcg"]
    assert g["stream_new_user_share"] > 0.5
