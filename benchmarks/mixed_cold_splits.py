"""The mixed design against its own ALS on three kinds of split (chapter 6, issue 9 section 3).

Not a test: prints one table. For each outer split of ML-100k (random-cold as in
chapter 6, a per-user 75/25 holdout, the temporal new-item split) the mixed design
is fitted twice: with inner splits of the *same* kind as the outer one, and with
random-cold inner splits (the old default). Each is compared with ALS user by user
(paired bootstrap interval and Wilcoxon p of the NDCG@10 difference). Usage::

    python benchmarks/mixed_cold_splits.py [--reg 50] [--threads 1]

About 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse

import torch

from hybridrec_ref.cf import ALS
from hybridrec_ref.data import ColdStartSplit, cold_start_split, load_movielens_100k, random_holdout, temporal_cold_split
from hybridrec_ref.eval import compare_cold_splits
from hybridrec_ref.fusion import FeatureAugmentationHybrid, HybridRecommender, NeighbourMap, MixedHybrid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reg", type=float, default=50.0, help="ALS regularisation (chapter 6's validated choice)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    ds = load_movielens_100k()
    data = ds.interactions
    text = HybridRecommender(ds.items, device="cpu", seed=args.seed).features()[:, :384]

    def als():
        return ALS(n_iters=15, reg=args.reg, alpha=5.0, seed=args.seed, device="cpu")

    def mixed(kind: str, hidden: float):
        cold = FeatureAugmentationHybrid(als(), text, item_map=NeighbourMap(k=10, temperature=0.1), calibrate=False)
        return MixedHybrid(cold, outer_test_frac=hidden, seed=args.seed, inner_split=kind)

    train, test = random_holdout(data, 0.25, seed=args.seed)
    per_user = ColdStartSplit(train, test, (train.item_counts() == 0).nonzero()[0], "item")
    splits = {  # name: (split, inner kind, outer_test_frac)
        "random-cold 20%": (cold_start_split(data, 0.2, 0.2, seed=args.seed), "random_cold", 0.2),
        "per-user 75/25": (per_user, "per_user", 0.25),
        "temporal 20%": (temporal_cold_split(data, 0.2, seed=args.seed), "temporal_cold", 0.0),
    }
    results = {}
    for name, (split, kind, hidden) in splits.items():
        models = {"ALS": als(), f"mixed ({kind} inner)": mixed(kind, hidden)}
        if kind != "random_cold":
            models["mixed (random_cold inner)"] = mixed("random_cold", hidden)
        results[name] = (split, {m: model.fit(split.train) for m, model in models.items()})
    table = compare_cold_splits(results, baseline="ALS", k=10, seed=args.seed)
    print(table.to_string(float_format="{:.4f}".format))


if __name__ == "__main__":
    main()
