"""Fit-time ratios of our CF models against their peers, and vectorised vs pandas evaluation (chapter 3).

Not a test: prints a table. Same data, same split, same epochs/iterations and
hyper-parameters on both sides; times are wall-clock seconds on this machine
(shared machines give noisy numbers: run it twice). Usage::

    python benchmarks/bench_cf.py [--threads 1] [--repeat 1]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import torch

from hybridrec_ref.cf.als import ALS
from hybridrec_ref.cf.bpr import BPR
from hybridrec_ref.cf.knn import ItemKNN
from hybridrec_ref.cf.mf import MatrixFactorization
from hybridrec_ref.cf.peers import CornacBPR, ImplicitALS, SurpriseRating
from hybridrec_ref.data import kfold, load_movielens_100k, random_holdout
from hybridrec_ref.eval import evaluate


def timed(fn, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def pandas_ndcg10(model, train, test) -> float:
    """NDCG@10 the way a first notebook often does it: a Python loop over users with pandas."""
    seen = train.to_frame().groupby("user")["item"].apply(set)
    rows = []
    for user, group in test.to_frame().groupby("user"):
        scores = model.score(np.array([user]))[0].numpy().copy()
        scores[list(seen.get(user, set()))] = -np.inf
        top = np.argsort(-scores, kind="stable")[:10]
        relevant = set(group["item"])
        gains = np.array([1.0 if i in relevant else 0.0 for i in top])
        dcg = (gains / np.log2(np.arange(2, 12))).sum()
        idcg = (1 / np.log2(np.arange(2, 2 + min(10, len(relevant))))).sum()
        rows.append(dcg / idcg)
    return float(np.mean(rows))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for these small models)")
    ap.add_argument("--repeat", type=int, default=1, help="repeats per timing (the best is kept)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", message="OpenBLAS is configured")
    data = load_movielens_100k().interactions
    tr, te = next(kfold(data, 5, seed=42))
    rtr, rte = random_holdout(data, 0.2, seed=42)
    r = args.repeat

    def knn(model):
        model.fit(tr)
        model.predict(te.users, te.items)

    rows = [
        ("explicit MF, 20 epochs (vs Surprise SVD)",
         timed(lambda: MatrixFactorization(n_epochs=20, device="cpu").fit(tr), r),
         timed(lambda: SurpriseRating("SVD", n_epochs=20, random_state=0).fit(tr), r)),
        ("item-kNN Pearson+baseline, fit+predict 20k (vs KNNBaseline)",
         timed(lambda: knn(ItemKNN(k=40, similarity="pearson", baseline=True, device="cpu")), r),
         timed(lambda: knn(SurpriseRating("KNNBaseline", k=40, verbose=False,
                                          sim_options={"name": "pearson", "user_based": False})), r)),
        ("BPR, 64 factors, 40 epochs (vs cornac BPR)",
         timed(lambda: BPR(n_factors=64, n_epochs=40, lr=0.05, reg=0.01, device="cpu").fit(rtr), r),
         timed(lambda: CornacBPR(k=64, max_iter=40, learning_rate=0.05, lambda_reg=0.01).fit(rtr), r)),
        ("ALS, 64 factors, 15 iterations (vs implicit, CG)",
         timed(lambda: ALS(n_factors=64, n_iters=15, reg=50, alpha=5, device="cpu").fit(rtr), r),
         timed(lambda: ImplicitALS(factors=64, iterations=15, regularization=50, alpha=6).fit(rtr), r)),
        ("ALS, 64 factors, 15 iterations (vs implicit, exact solve)",
         timed(lambda: ALS(n_factors=64, n_iters=15, reg=50, alpha=5, device="cpu").fit(rtr), r),
         timed(lambda: ImplicitALS(factors=64, iterations=15, regularization=50, alpha=6, use_cg=False).fit(rtr), r)),
    ]
    model = ItemKNN(k=100, feedback="implicit", device="cpu").fit(rtr)
    fast = evaluate(model, rtr, rte).set_index("metric").loc["NDCG", "value"]
    slow = pandas_ndcg10(model, rtr, rte)
    rows.append((f"evaluation NDCG@10 ({fast:.4f}) vs pandas per-user loop ({slow:.4f})",
                 timed(lambda: evaluate(model, rtr, rte), r), timed(lambda: pandas_ndcg10(model, rtr, rte), r)))
    table = pd.DataFrame(rows, columns=["task", "ours (s)", "peer (s)"]).set_index("task")
    table["ours / peer"] = table["ours (s)"] / table["peer (s)"]
    with pd.option_context("display.width", 200, "display.max_colwidth", 80):
        print(table.round(3).to_string())
    print(f"\ntorch {torch.__version__}, {torch.get_num_threads()} thread(s); ML-100k, fold 1 of 5 / 80-20 holdout")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
