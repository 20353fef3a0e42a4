"""Appendix B: the e-commerce case study (chapter 12) as the outline's six steps, on Book-Crossing.

    python examples/ecommerce.py                 # the chapter's data (20-core), a few minutes on 2 cores
    python examples/ecommerce.py --users 300     # a small sample of readers (what the test suite runs)

1. collect     Book-Crossing ratings and book metadata, fetched and verified (hybridrec_ref.data)
2. preprocess  cleaned ISBNs/years/ages, k-core filter, a cold-start split; book text -> MiniLM vectors
3. train       the single models: CF (ALS) and a content profile on the text vectors
4. fuse        chapter 6's mixed design: ALS ranks known books, text neighbours rank new ones,
               one list by calibrated hit rate (MixedHybrid around a FeatureAugmentationHybrid)
5. recommend   top-10 lists with titles for a few readers
6. evaluate    NDCG@10 overall and Recall@10 on new books, paired test of fusion against ALS
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from hybridrec_ref.cf import ALS
from hybridrec_ref.content import ContentRecommender, TextEncoder
from hybridrec_ref.data import cold_start_split
from hybridrec_ref.data.bookcrossing import load_book_crossing
from hybridrec_ref.eval import paired_test, per_user_metrics
from hybridrec_ref.fusion import FeatureAugmentationHybrid, MixedHybrid, NeighbourMap


def collect(min_core: int = 20, n_users: int | None = None):
    """Step 1: the cleaned, k-core filtered Book-Crossing dataset (optionally its first ``n_users`` readers)."""
    ds = load_book_crossing(min_user=min_core, min_item=min_core)
    data = ds.interactions
    return ds, (data if n_users is None else data.subset(data.users < n_users))


def preprocess(ds, data, seed: int = 42, device: str = "auto"):
    """Step 2: a split with 20% of the books made new (cold), and each book's text as a MiniLM vector."""
    split = cold_start_split(data, cold_frac=0.2, test_frac=0.2, seed=seed)
    text = TextEncoder(device=device, cache_dir="default").encode(ds.items["text"].tolist())
    return split, text


def train(split, text, n_iters: int = 10, seed: int = 42, device: str = "auto"):
    """Step 3: the single models, fitted on the training part."""
    als = ALS(n_factors=64, n_iters=n_iters, reg=50.0, alpha=5.0, seed=seed, device=device)
    return {"ALS": als.fit(split.train), "Content": ContentRecommender(text, device=device).fit(split.train)}


def fuse(split, text, n_iters: int = 10, n_splits: int = 2, seed: int = 42, device: str = "auto"):
    """Step 4: the mixed design of chapter 6, calibrated on inner splits of the training part."""
    als = ALS(n_factors=64, n_iters=n_iters, reg=50.0, alpha=5.0, seed=seed, device=device)
    cold = FeatureAugmentationHybrid(als, text, item_map=NeighbourMap(k=10), calibrate=False, seed=seed)
    model = MixedHybrid(cold, n_splits=n_splits, outer_test_frac=0.2, seed=seed)
    return model.fit(split.train)


def recommend(model, ds, users, k: int = 10) -> pd.DataFrame:
    """Step 5: top-``k`` titles for ``users`` (books a reader already has are excluded)."""
    top = model.recommend(np.asarray(users), k)
    return pd.DataFrame({int(u): ds.items["title"].to_numpy()[row] for u, row in zip(users, top)})


def evaluate(models: dict, split, seed: int = 42) -> tuple[pd.DataFrame, dict]:
    """Step 6: NDCG@10 (all test books) and Recall@10 (new books only); fusion vs ALS paired over readers."""
    cold_part = split.test.subset(split.test_is_cold())
    overall = {n: per_user_metrics(m, split.train, split.test)["NDCG@10"] for n, m in models.items()}
    cold = {n: per_user_metrics(m, split.train, cold_part)["Recall@10"] for n, m in models.items()}
    table = pd.DataFrame({"NDCG@10": {n: v.mean() for n, v in overall.items()},
                          "Recall@10, new books": {n: v.mean() for n, v in cold.items()}})
    tests = {part: paired_test(scores["Fusion"].to_numpy(), scores["ALS"].to_numpy(), seed=seed)
             for part, scores in (("overall", overall), ("new books", cold))}
    return table, tests


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=None, help="keep only the first N readers (a quick run)")
    p.add_argument("--iters", type=int, default=10, help="ALS iterations")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--device", default="auto")
    args = p.parse_args(argv)
    ds, data = collect(n_users=args.users)
    split, text = preprocess(ds, data, args.seed, args.device)
    models = train(split, text, args.iters, args.seed, args.device)
    models["Fusion"] = fuse(split, text, args.iters, seed=args.seed, device=args.device)
    print(recommend(models["Fusion"], ds, np.unique(split.test.users)[:3]).to_string())
    table, tests = evaluate(models, split, args.seed)
    print(table.round(4).to_string())
    for part, t in tests.items():
        print(f"fusion - ALS, {part}: {t['diff']:+.4f} [{t['ci_low']:+.4f}, {t['ci_high']:+.4f}], "
              f"Wilcoxon p = {t['wilcoxon_pvalue']:.2g}, {t['n']} readers")
    return table, tests


if __name__ == "__main__":
    main()
