"""Sampling text from any LM of chapter 2: temperature and top-k ("Generating text").

At each step the next-token log-probabilities are divided by the
``temperature`` (below 1: sharper, more conservative; above 1: flatter, more
surprising), all but the ``top_k`` most likely tokens are dropped, and one
token is drawn. Sampling stops at ``<eos>`` or after ``max_new_tokens``.
Draws use a seeded CPU generator, so the same seed gives the same samples on
a CPU and a GPU. ``<pad>``, ``<bos>`` and (unless ``allow_unk``) ``<unk>`` are
never drawn.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from .vocab import BOS_ID, EOS_ID, PAD_ID, UNK_ID


def sample(model, prompts: Sequence[Sequence[int]] | None = None, n: int = 1, max_new_tokens: int = 20,
           temperature: float = 1.0, top_k: int | None = None, seed: int = 42,
           allow_unk: bool = False) -> list[np.ndarray]:
    """Continue each prompt (default: ``n`` empty prompts, i.e. ``[<bos>]``); return the new tokens of each.

    ``model`` is anything with ``next_log_probs(prefixes) -> (B, V)``: the
    n-gram, LSTM and Transformer LMs alike. Sampling is batched over prompts.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}; use top_k=1 for greedy decoding")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be at least 1 (or None for no cut), got {top_k}")
    if max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be at least 1, got {max_new_tokens}")
    if not hasattr(model, "next_log_probs"):
        raise TypeError(f"{type(model).__name__} is not a language model (it has no next_log_probs)")
    if prompts is None:
        prompts = [[BOS_ID]] * n
    seqs = [list(map(int, p)) if len(p) and p[0] == BOS_ID else [BOS_ID, *map(int, p)] for p in prompts]
    start = [len(s) for s in seqs]
    gen = torch.Generator().manual_seed(seed)
    done = np.zeros(len(seqs), dtype=bool)
    banned = [PAD_ID, BOS_ID] + ([] if allow_unk else [UNK_ID])
    for _ in range(max_new_tokens):
        active = np.flatnonzero(~done)
        if len(active) == 0:
            break
        logits = model.next_log_probs([np.array(seqs[i]) for i in active]).float().cpu() / temperature
        logits[:, banned] = -torch.inf
        if top_k is not None and top_k < logits.shape[1]:
            kth = torch.topk(logits, top_k, dim=1).values[:, -1:]
            logits = logits.masked_fill(logits < kth, -torch.inf)
        draws = torch.multinomial(torch.softmax(logits, dim=1), 1, generator=gen)[:, 0].numpy()
        for i, tok in zip(active, draws):
            seqs[i].append(int(tok))
            done[i] = tok == EOS_ID
    return [np.array([t for t in s[b:] if t != EOS_ID], dtype=np.int64) for s, b in zip(seqs, start)]
