"""TALLRec-style AUC on Book-Crossing with chapter 10's LLM: zero-shot, then LoRA on 16 / 64 / 256 samples.

    python benchmarks/tallrec_books.py                       # CPU: about 10 minutes on 2 cores
    python benchmarks/tallrec_books.py --device cuda --sizes 16 64 256 1024 --max-test 500

Chapter 10's protocol (its TALLRec section) on the explicit Book-Crossing ratings
(1-10; chapter 12's loader, k-core ``--min-core``): a rating ``>= --like`` is a "Yes",
``<= --dislike`` a "No"; the prompt lists the reader's ``--n-history`` previous Yes/No books
("Title by Author"). The crawl has no timestamps, so "previous" is file order. Beside
the LLM: biased MF and a logistic model on the same samples, and the book's mean rating.
The published TALLRec numbers (LLaMA-7B + LoRA, books: AUC 0.5636 / 0.6039 / 0.6438 at
16 / 64 / 256 samples) are printed beside ours; the backbone is fifty times larger.
Not run by ``make test`` (it costs as much as chapter 10); the book's chapter 12 points here.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression

from hybridrec_ref.cf import MatrixFactorization
from hybridrec_ref.data.bookcrossing import load_book_crossing
from hybridrec_ref.llm import (add_lora, auc_interval, learning_curve, load_pretrained_lm, pair_features,
                               score_yes_no, yes_no_loss, yes_no_samples)

PUBLISHED = {16: 0.5636, 64: 0.6039, 256: 0.6438}  # TALLRec, LLaMA-7B + LoRA, BookCrossing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16"])
    ap.add_argument("--sizes", type=int, nargs="+", default=[16, 64, 256])
    ap.add_argument("--max-test", type=int, default=120, help="held-out pairs (warm)")
    ap.add_argument("--n-history", type=int, default=5)
    ap.add_argument("--like", type=float, default=8)
    ap.add_argument("--dislike", type=float, default=5)
    ap.add_argument("--min-core", type=int, default=10)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    ds = load_book_crossing(feedback="explicit", min_user=args.min_core, min_item=args.min_core)
    texts = [f"{t} by {a}" for t, a in zip(ds.items["title"], ds.items["author"])]
    samples = yes_no_samples(ds, n_history=args.n_history, like=args.like, dislike=args.dislike, cold_frac=0.0,
                             test_frac=0.4, max_test=args.max_test, domain="book", item_texts=texts, seed=args.seed)
    test, y = samples.test, samples.test["label"].to_numpy()
    print(f"Book-Crossing explicit, {args.min_core}-core: {len(ds.interactions):,} ratings; "
          f"{len(samples.train)} training pairs, {len(test)} test pairs, Yes share {y.mean():.2f}")
    lm = load_pretrained_lm(args.model, device=args.device, dtype=args.dtype)
    prompts = samples.prompts(lm.tokenizer, test)
    print(prompts[0])
    rows = {"zero-shot LLM": auc_interval(y, score_yes_no(lm, prompts), seed=args.seed)}
    tuned = add_lora(lm, seed=args.seed)
    part = samples.take_train(max(args.sizes), seed=args.seed)

    def at_size(n, seen):
        rows[f"LoRA, {n} samples"] = auc_interval(y, score_yes_no(tuned, prompts), seed=args.seed)

    curve = learning_curve(yes_no_loss(tuned, samples.prompts(lm.tokenizer, part), part["label"]), args.sizes,
                           tuned.model.parameters(), at_size, batch_size=args.batch, lr=args.lr, seed=args.seed,
                           modules=[tuned.model])
    cf = samples.cf_train
    u, i = test["user"].to_numpy(), test["item"].to_numpy()
    mf = MatrixFactorization(n_factors=32, n_epochs=20, seed=args.seed, device=args.device).fit(cf)
    rows["MF (explicit)"] = auc_interval(y, mf.predict(u, i), seed=args.seed)
    feats = pair_features(cf, u, i)
    rows["book mean rating (shrunk)"] = auc_interval(y, feats[:, 0], seed=args.seed)
    logit = LogisticRegression().fit(pair_features(cf, part["user"], part["item"]), part["label"])
    rows[f"logistic, {max(args.sizes)} samples"] = auc_interval(y, logit.decision_function(feats), seed=args.seed)
    table = pd.DataFrame(rows, index=["AUC", "low", "high"]).T
    table["TALLRec LLaMA-7B"] = [PUBLISHED.get(int(k.split()[1]), np.nan) if k.startswith("LoRA") else np.nan
                                 for k in table.index]
    print(table.round(4).to_string())
    print(curve.round(3).to_string())
    print(f"device {lm.device}, dtype {lm.dtype}, {torch.get_num_threads()} threads, {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
