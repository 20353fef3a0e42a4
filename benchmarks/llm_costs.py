"""Cost table of the chapter 10 LLM on any device: tokens/s, s per 1,000 scored pairs, LoRA step, peak memory.

    python benchmarks/llm_costs.py                      # auto device, the verified SmolLM2-135M-Instruct
    python benchmarks/llm_costs.py --device cuda --dtype bfloat16 --pairs 512
    python benchmarks/llm_costs.py --model HuggingFaceTB/SmolLM2-1.7B-Instruct   # any HF model (needs it locally)

Prompts are chapter 10's: ML-100k Yes/No questions with five rated titles each.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
import torch

from hybridrec_ref.data import load_movielens_100k
from hybridrec_ref.llm import (add_lora, load_pretrained_lm, measure_costs, reset_adapter, train_steps,
                               yes_no_loss, yes_no_samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16"])
    ap.add_argument("--pairs", type=int, default=128)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--train-batch", type=int, default=4)
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    t = time.perf_counter()
    lm = load_pretrained_lm(args.model, device=args.device, dtype=args.dtype)
    load_s = time.perf_counter() - t
    ds = load_movielens_100k()
    titles = [f"{t} ({int(y)})" if pd.notna(y) else t for t, y in zip(ds.items["title"], ds.items["year"])]
    samples = yes_no_samples(ds, item_texts=titles, max_test=args.pairs)
    prompts = samples.prompts(lm.tokenizer, samples.test)[: args.pairs]
    tuned = add_lora(lm)
    part = samples.take_train(args.train_batch)
    loss = yes_no_loss(tuned, samples.prompts(lm.tokenizer, part), part["label"])
    step = lambda: train_steps(loss, args.train_batch, tuned.model.parameters(), batch_size=args.train_batch)
    step()  # warm-up
    reset_adapter(tuned)
    row = measure_costs(tuned, prompts, batch_size=args.batch_size, train_step=step)
    row["load_s"] = load_s
    if lm.device.type == "cpu":
        row["threads"] = torch.get_num_threads()
    print(pd.DataFrame([row]).round(2).T.to_string(header=False))


if __name__ == "__main__":
    main()
