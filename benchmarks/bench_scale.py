"""ALS at 1M / 3M / 10M synthetic interactions: the package (CG), implicit and Spark local mode (chapter 14).

Not a test: prints fit time and peak memory per engine and size, and the ratios ours / peer. Same
long-tailed synthetic data for every engine (hybridrec_ref.perf.synthetic_interactions: 20
interactions per user, n/100 items), 64 factors, ``--iters`` iterations, equal threads (torch
threads, implicit's num_threads, Spark's ``local[threads]``). Each fit runs in a fresh process (perf.measure);
Spark's memory is its JVM's resident peak (sampled), the others' what the fit added to Python's.
``--models`` adds most-popular, item-kNN, EASE and BPR to the curve (each skipped above ``--max-items``
for EASE). Times are wall-clock on a possibly shared machine: repeat and compare the ratios.

    OMP_NUM_THREADS=2 python benchmarks/bench_scale.py [--sizes 1e6 3e6 1e7] [--threads 2] [--no-spark]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
import pandas as pd
import torch

from hybridrec_ref.cf import ALS, BPR, EASE, ItemKNN, MostPopular
from hybridrec_ref.cf.ease import ease_peak_bytes
from hybridrec_ref.perf import measure, peak_so_far, process_tree_peak, synthetic_interactions


def fit_job(make, data, threads: int, spark: bool = False):
    def job():
        torch.set_num_threads(threads)
        warnings.filterwarnings("ignore")
        with process_tree_peak() as jvm:
            t0 = time.perf_counter()
            make().fit(data)
            seconds = time.perf_counter() - t0
        if spark:
            from hybridrec_ref.perf.spark import stop_spark

            stop_spark()
        return {"fit_s": seconds, "peak_mb": (jvm.peak_bytes if spark else peak_so_far()) / 2**20}

    return job


class _Implicit:
    def __init__(self, threads, iters):
        self.threads, self.iters = threads, iters

    def fit(self, data):
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):
            AlternatingLeastSquares(factors=64, iterations=self.iters, regularization=0.1, alpha=11.0,
                                    num_threads=self.threads, random_state=0,
                                    calculate_training_loss=False).fit(data.to_csr("ones"), show_progress=False)
        return self


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="+", default=[1e6, 3e6, 1e7])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--models", action="store_true", help="also most-popular, item-kNN, EASE, BPR")
    ap.add_argument("--max-items", type=int, default=20_000, help="largest catalogue EASE is tried on")
    args = ap.parse_args()
    T, it = args.threads, args.iters
    print(f"{T} threads per engine; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}; "
          f"load average {os.getloadavg()[0]:.1f} (a shared machine makes times noisy)")
    engines = {"ours (ALS, CG)": (lambda: ALS(n_factors=64, n_iters=it, reg=0.1, alpha=10.0, solver="cg",
                                                 device="cpu"), False),
               "implicit (CG)": (lambda: _Implicit(T, it), False)}
    if not args.no_spark:
        from hybridrec_ref.perf.spark import SparkALS

        engines["Spark local"] = (lambda: SparkALS(n_factors=64, n_iters=it, reg=0.1, alpha=10.0, threads=T), True)
    if args.models:
        engines.update({"most-popular": (lambda: MostPopular(device="cpu"), False),
                        "item-kNN": (lambda: ItemKNN(k=50, feedback="implicit", device="cpu"), False),
                        "EASE": (lambda: EASE(lam=500.0, device="cpu"), False),
                        "BPR (5 epochs)": (lambda: BPR(n_factors=64, n_epochs=5, device="cpu"), False)})
    rows = []
    for n in map(int, args.sizes):
        data = synthetic_interactions(n, seed=0)
        for name, (make, spark) in engines.items():
            if name == "EASE" and data.n_items > args.max_items:
                print(f"skip EASE at {n:,}: {data.n_items:,} items need ~{ease_peak_bytes(data.n_items) / 2**30:.0f} GB")
                continue
            try:
                r = measure(fit_job(make, data, T, spark))["value"]
            except RuntimeError as e:
                r = {"fit_s": np.nan, "peak_mb": np.nan}
                print(f"{name} failed at {n:,}: {str(e).splitlines()[-1]}")
            rows.append({"interactions": n, "users": data.n_users, "items": data.n_items, "engine": name, **r})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    ours = table[table.engine == "ours (ALS, CG)"].set_index("interactions")
    for peer in [e for e in ("implicit (CG)", "Spark local") if e in engines]:
        p = table[table.engine == peer].set_index("interactions")
        for n in ours.index:
            print(f"{n:>10,}  ours / {peer}: time {ours.fit_s[n] / p.fit_s[n]:.2f}x, "
                  f"memory {ours.peak_mb[n] / p.peak_mb[n]:.2f}x")


if __name__ == "__main__":
    main()
