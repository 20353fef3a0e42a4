"""What an LLM costs per scored pair: tokens/s, seconds per 1,000 pairs, peak memory (chapter 10, {ref}`sec-llm-costs`).

Used by the chapter (CPU) and by ``benchmarks/llm_costs.py`` (any device).
Peak memory is the process's peak resident set on CPU (it includes the
Python process and the loaded model) and ``torch.cuda.max_memory_allocated``
on CUDA.
"""

from __future__ import annotations

import resource
import sys
import time
from typing import Sequence

import numpy as np
import torch

from ..validation import check_texts
from .scoring import encode_prompts, score_yes_no


def peak_memory_mb(device: torch.device) -> float:
    """Peak memory so far in MB: CUDA allocator peak on a GPU, the process's peak RSS on a CPU."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def measure_costs(lm, prompts: Sequence[str], batch_size: int = 16, train_step=None, repeat: int = 1) -> dict:
    """Time Yes/No scoring of ``prompts`` (after one warm-up batch) and, optionally, one ``train_step()``.

    Returns ``pairs, tokens, mean_tokens, seconds, tokens_per_s, s_per_1000_pairs, peak_mb`` (and
    ``s_per_train_step`` when ``train_step`` is given).
    """
    prompts = check_texts(prompts, "prompts")
    n_tokens = int(encode_prompts(lm.tokenizer, prompts)[1].sum())
    score_yes_no(lm, prompts[:batch_size], batch_size=batch_size)  # warm-up
    if lm.device.type == "cuda":
        torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        score_yes_no(lm, prompts, batch_size=batch_size)
        if lm.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    sec = float(np.median(times))
    out = {"device": str(lm.device), "dtype": str(lm.dtype).replace("torch.", ""), "pairs": len(prompts),
           "tokens": n_tokens, "mean_tokens": n_tokens / len(prompts), "seconds": sec,
           "tokens_per_s": n_tokens / sec, "s_per_1000_pairs": 1000 * sec / len(prompts)}
    if train_step is not None:
        t = time.perf_counter()
        train_step()
        if lm.device.type == "cuda":
            torch.cuda.synchronize()
        out["s_per_train_step"] = time.perf_counter() - t
    out["peak_mb"] = peak_memory_mb(lm.device)
    return out
