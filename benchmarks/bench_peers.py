"""CPU fit time and peak memory of the package's ALS, BPR and item-kNN against their peers (chapter 14).

Not a test: prints a table and the ratios (ours / peer; < 1 means ours is faster or smaller). ML-1M,
per-user 80/20 split (seed 42), the same hyper-parameters on both sides, equal thread counts
(``--threads``, default 2: torch threads, implicit's ``num_threads``, OpenMP for cornac). Every fit runs
in a fresh process (hybridrec_ref.perf.measure, from a fork server): peak memory is what the fit added, and NDCG@10
is measured after the peak is read. Shared machines give noisy times: ``--repeat`` keeps the fastest.

    OMP_NUM_THREADS=2 python benchmarks/bench_peers.py [--threads 2] [--repeat 1] [--data ml-1m|ml-100k]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd
import torch

from hybridrec_ref.cf import ALS, BPR, ItemKNN
from hybridrec_ref.cf.peers import CornacBPR
from hybridrec_ref.data import load_movielens_100k, load_movielens_1m, random_holdout
from hybridrec_ref.eval import evaluate
from hybridrec_ref.perf import measure, peak_so_far
from hybridrec_ref.perf.compression import FactorScores


class _ImplicitALS:
    def __init__(self, use_cg, threads, **kw):
        self.use_cg, self.threads, self.kw = use_cg, threads, kw

    def fit(self, train):
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):  # implicit's advice: its own threads, single-threaded BLAS
            m = AlternatingLeastSquares(use_cg=self.use_cg, num_threads=self.threads, random_state=0,
                                        calculate_training_loss=False, **self.kw)
            m.fit(train.to_csr("ones"), show_progress=False)
        return FactorScores(np.asarray(m.user_factors), np.asarray(m.item_factors)).fit(train)


class _ImplicitItemKNN:
    def __init__(self, k, threads):
        self.k, self.threads = k, threads

    def fit(self, train):
        from implicit.nearest_neighbours import CosineRecommender

        m = CosineRecommender(K=self.k, num_threads=self.threads)
        m.fit(train.to_csr("ones"), show_progress=False)
        self.S, self.train = m.similarity.tocsr(), train
        return self


def ndcg(model, train, test) -> float:
    if isinstance(model, _ImplicitItemKNN):  # scores = X S, ranked by our evaluation
        scores = (train.to_csr("ones") @ model.S).toarray()
        model = FactorScores(scores, np.eye(train.n_items, dtype=np.float32)).fit(train)
    t = evaluate(model, train, test, ks=(10,))
    return float(t.loc[t.metric == "NDCG", "value"].iloc[0])


def contenders(threads: int, epochs_bpr: int, iters_als: int):
    als = dict(n_factors=64, n_iters=iters_als, reg=0.1, alpha=10.0, device="cpu")
    imp = dict(factors=64, iterations=iters_als, regularization=0.1, alpha=11.0)  # our c = 1 + alpha r
    return [
        ("ALS (CG)", lambda: ALS(solver="cg", **als), lambda: _ImplicitALS(True, threads, **imp), "implicit CG"),
        ("ALS (exact)", lambda: ALS(solver="exact", **als), lambda: _ImplicitALS(False, threads, **imp),
         "implicit exact"),
        ("BPR", lambda: BPR(n_factors=64, n_epochs=epochs_bpr, lr=0.05, reg=0.01, device="cpu"),
         lambda: CornacBPR(k=64, max_iter=epochs_bpr, learning_rate=0.05, lambda_reg=0.01), "cornac BPR"),
        ("item-kNN", lambda: ItemKNN(k=50, feedback="implicit", device="cpu"),
         lambda: _ImplicitItemKNN(50, threads), "implicit cosine kNN"),
    ]


def run_one(factory, train, test, threads: int) -> dict:
    def job():
        torch.set_num_threads(threads)
        warnings.filterwarnings("ignore")
        t0 = time.perf_counter()
        model = factory()
        fitted = model.fit(train)
        seconds = time.perf_counter() - t0
        peak = peak_so_far()
        return {"fit_s": seconds, "peak_mb": peak / 2**20, "ndcg@10": ndcg(fitted, train, test)}

    return measure(job)["value"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--data", default="ml-1m", choices=("ml-1m", "ml-100k"))
    ap.add_argument("--bpr-epochs", type=int, default=20)
    ap.add_argument("--als-iters", type=int, default=15)
    ap.add_argument("--skip", nargs="*", default=[], help="models to leave out, e.g. 'ALS (exact)'")
    args = ap.parse_args()
    data = (load_movielens_1m() if args.data == "ml-1m" else load_movielens_100k()).interactions
    train, test = random_holdout(data, 0.2, seed=42)
    print(f"{args.data}: {len(train):,} training interactions; {args.threads} threads each; "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}; load average {os.getloadavg()[0]:.1f}")
    rows = []
    for name, ours, peer, peer_name in contenders(args.threads, args.bpr_epochs, args.als_iters):
        if name in args.skip:
            continue
        for who, factory in ((f"{name} ours", ours), (peer_name, peer)):
            best = min((run_one(factory, train, test, args.threads) for _ in range(args.repeat)),
                       key=lambda r: r["fit_s"])
            rows.append({"model": name, "who": who, **best})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print("\nratios ours / peer (time, peak memory):")
    for name, g in table.groupby("model", sort=False):
        o, p = g.iloc[0], g.iloc[1]
        print(f"  {name:12s} time {o.fit_s / p.fit_s:6.2f}x   memory {o.peak_mb / max(p.peak_mb, 1e-3):6.2f}x   "
              f"NDCG@10 {o['ndcg@10']:.4f} vs {p['ndcg@10']:.4f}")


if __name__ == "__main__":
    main()
