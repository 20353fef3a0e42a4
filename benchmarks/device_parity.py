"""Same models, same data, same seeds: CPU vs GPU fit time and metric agreement (chapter 13).

Run on a machine with CUDA: ``python benchmarks/device_parity.py``. For every
torch model of the package it fits once with ``device="cpu"`` and once with
``device="cuda"`` on ML-100k, and prints the fit times, their ratio (CPU/GPU,
>1 means the GPU is faster) and NDCG@10 from each device. Learned models are
not bitwise identical across devices (different kernels, different summation
order), so their metrics agree to a tolerance, not exactly. Without CUDA it
says so and exits 0. Not a test.
"""

from __future__ import annotations

import sys
import time

import pandas as pd
import torch

from hybridrec_ref.cf import ALS, BPR, EASE, BiasBaseline, ItemKNN, MatrixFactorization, MostPopular
from hybridrec_ref.content import ContentRecommender, TfidfEncoder
from hybridrec_ref.data import cold_start_split, leave_last_out, load_movielens_100k, random_holdout
from hybridrec_ref.data.text import genre_matrix
from hybridrec_ref.deep import NCF, SASRec, GRU4Rec, Caser
from hybridrec_ref.eval import evaluate
from hybridrec_ref.fusion import FeatureAugmentationHybrid, FeatureMF, NeighbourMap, MixedHybrid
from hybridrec_ref.lm import LMRecommender


def models(text_vectors, genres):
    """name -> (factory(device), split name)."""
    return {
        "MostPopular": (lambda d: MostPopular(device=d), "holdout"),
        "BiasBaseline": (lambda d: BiasBaseline(device=d), "holdout"),
        "ItemKNN": (lambda d: ItemKNN(k=50, feedback="implicit", device=d), "holdout"),
        "MatrixFactorization": (lambda d: MatrixFactorization(device=d), "holdout"),
        "BPR": (lambda d: BPR(device=d), "holdout"),
        "ALS": (lambda d: ALS(device=d), "holdout"),
        "EASE": (lambda d: EASE(device=d), "holdout"),
        "ContentRecommender": (lambda d: ContentRecommender(text_vectors, device=d), "holdout"),
        "NCF": (lambda d: NCF(n_epochs=5, device=d), "holdout"),
        "SASRec": (lambda d: SASRec(n_epochs=10, device=d), "sequence"),
        "GRU4Rec": (lambda d: GRU4Rec(n_epochs=10, device=d), "sequence"),
        "Caser": (lambda d: Caser(n_epochs=10, device=d), "sequence"),
        "TransformerLM": (lambda d: LMRecommender("transformer", device=d), "sequence"),
        "FeatureMF (genres)": (lambda d: FeatureMF(genres, device=d), "cold"),
        "MixedHybrid": (lambda d: MixedHybrid(
            FeatureAugmentationHybrid(ALS(device=d), genres, item_map=NeighbourMap(), calibrate=False),
            outer_test_frac=0.2), "cold"),
    }


def main() -> int:
    if not torch.cuda.is_available():
        print("CUDA is not available here: nothing to compare.")
        return 0
    ds = load_movielens_100k()
    splits = {"holdout": random_holdout(ds.interactions, 0.2, seed=42),
              "sequence": leave_last_out(ds.interactions, seed=42)}
    cold = cold_start_split(ds.interactions, 0.2, 0.2, seed=42)
    splits["cold"] = (cold.train, cold.test)
    text = TfidfEncoder().fit_transform(ds.items.text.tolist())
    rows = []
    only = set(sys.argv[1:])
    genres = genre_matrix(ds.items.genres)[0] + 1e-3   # multi-hot genres; no all-zero rows (cosine neighbours)
    for name, (factory, split) in models(text, genres).items():
        if only and name not in only:
            continue
        train, test = splits[split]
        row = {"model": name}
        for device in ("cpu", "cuda"):
            model = factory(device)
            if device == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            model.fit(train)
            if device == "cuda":
                torch.cuda.synchronize()
            row[f"fit_s_{device}"] = time.perf_counter() - t0
            row[f"ndcg10_{device}"] = evaluate(model, train, test, ks=(10,)).set_index("metric").loc["NDCG", "value"]
        row["speedup_gpu"] = row["fit_s_cpu"] / row["fit_s_cuda"]
        row["ndcg_abs_diff"] = abs(row["ndcg10_cpu"] - row["ndcg10_cuda"])
        rows.append(row)
        print(pd.DataFrame([row]).to_string(index=False, float_format="%.4f"), flush=True)
    table = pd.DataFrame(rows).set_index("model")
    print("\n" + table.to_string(float_format="%.4f"))
    print(f"\ndevice: {torch.cuda.get_device_name(0)}; CPU threads: {torch.get_num_threads()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
