"""A social-network recommender in the outline's six steps (Appendix B; chapter 11 explains each step).

Run ``python examples/social_network.py`` (about 40 s of CPU time; 3 minutes on a busy shared 2-core machine) or
``python examples/social_network.py --users 500`` for a small sample. Steps:
collect -> preprocess -> train -> fuse -> generate recommendations -> evaluate.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from hybridrec_ref.cf import EASE, MostPopular
from hybridrec_ref.content import ContentRecommender, TextEncoder
from hybridrec_ref.content.encoder import default_cache_dir
from hybridrec_ref.data import cold_start_split, load_ibm_articles
from hybridrec_ref.eval import paired_test, per_user_metrics
from hybridrec_ref.fusion import GatedFusion, SwitchingHybrid


def collect_data(n_users: int | None = None):
    """Step 1: fetch and verify the IBM community clicks and articles; optionally keep the first users."""
    ds = load_ibm_articles()
    data = ds.interactions if n_users is None else ds.interactions.subset(ds.interactions.users < n_users)
    return ds, data


def preprocess_data(ds, data, seed: int = 42):
    """Step 2: article text -> MiniLM vectors; a split with 20% new articles and 20% of each user's reads held out."""
    text = TextEncoder(cache_dir=default_cache_dir()).encode(ds.items.text.tolist())
    split = cold_start_split(data, cold_frac=0.2, test_frac=0.2, seed=seed)
    return text, split


def train_models(text, train, lam: float = 50.0):
    """Step 3: the single models: collaborative filtering (EASE), the text model, popularity."""
    models = {"EASE": EASE(lam=lam), "Content (MiniLM)": ContentRecommender(text), "Most popular": MostPopular()}
    return {name: m.fit(train) for name, m in models.items()}


def fusion_strategy(text, train, lam: float = 50.0, gate_steps: int = 300, seed: int = 42):
    """Step 4: the gate mixes EASE and text by history; users without history fall back to popularity."""
    gate = GatedFusion({"CF": EASE(lam=lam), "text": ContentRecommender(text)}, abstain_on_cold=("CF",),
                       normalise="zscore", n_steps=gate_steps, seed=seed)
    return SwitchingHybrid(gate, MostPopular(), min_history=1).fit(train)


def generate_recommendations(model, ds, users, k: int = 5) -> pd.DataFrame:
    """Step 5: top-k article titles for some users (their training reads excluded)."""
    top = model.recommend(np.asarray(users), k)
    return pd.DataFrame({"user": np.repeat(users, k), "rank": np.tile(np.arange(1, k + 1), len(users)),
                         "article": ds.items.title.to_numpy()[top.ravel()]})


def evaluate_and_optimize(models: dict, split, k: int = 10, seed: int = 42) -> tuple[pd.DataFrame, dict]:
    """Step 6: Precision/Recall/F1/NDCG@k per model, and a paired test of the fusion against EASE."""
    per_user = {name: per_user_metrics(m, split.train, split.test, ks=(k,)) for name, m in models.items()}
    cols = [f"{m}@{k}" for m in ("Precision", "Recall", "F1", "NDCG")]
    table = pd.DataFrame({name: t[cols].mean() for name, t in per_user.items()}).T
    pair = paired_test(per_user["Fusion"][f"NDCG@{k}"].to_numpy(), per_user["EASE"][f"NDCG@{k}"].to_numpy(), seed=seed)
    return table, pair


def main(argv=None) -> tuple[pd.DataFrame, dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=None, help="keep only the first N users (a small sample)")
    parser.add_argument("--gate-steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    ds, data = collect_data(args.users)
    text, split = preprocess_data(ds, data, args.seed)
    models = train_models(text, split.train)
    models["Fusion"] = fusion_strategy(text, split.train, gate_steps=args.gate_steps, seed=args.seed)
    print(generate_recommendations(models["Fusion"], ds, np.unique(split.test.users)[:2]).to_string(index=False))
    table, pair = evaluate_and_optimize(models, split, seed=args.seed)
    print(table.round(4).to_string())
    print(f"Fusion minus EASE, NDCG@10: {pair['diff']:+.4f} (95% CI {pair['ci_low']:+.4f} to {pair['ci_high']:+.4f}, "
          f"Wilcoxon p = {pair['wilcoxon_pvalue']:.2g}, {pair['n']} users)")
    return table, pair


if __name__ == "__main__":
    main()
