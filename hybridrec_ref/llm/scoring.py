"""Yes/No scoring with a causal LM: score = logit(Yes) - logit(No) (chapter 10, {ref}`sec-llm-zeroshot`).

The model's *answer* is a poor score (a small model says "No" to nearly
everything); the difference of the two next-token logits after the prompt
ranks candidates well. Batches are left-padded, with position ids taken from
the attention mask, and only the last position's logits are computed
(``logits_to_keep=1``), so a batch costs one forward pass and no
``(batch, length, vocabulary)`` tensor. Prompts may carry soft-token slots
(:data:`~hybridrec_ref.llm.prompts.USER_SLOT`, ``ITEM_SLOT``): their input
embeddings are replaced by given vectors (CoLLM, {ref}`sec-llm-collm`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from ..validation import check_int, check_texts
from .prompts import ITEM_SLOT, USER_SLOT

SLOTS = (USER_SLOT, ITEM_SLOT)


def answer_ids(tokenizer, words: Sequence[str] = ("Yes", "No")) -> list[int]:
    """Token ids of the answer words; each must be a single token of this tokenizer."""
    ids = []
    for w in words:
        toks = tokenizer.encode(w, add_special_tokens=False)
        if len(toks) != 1:
            raise ValueError(f"answer word {w!r} is {len(toks)} tokens for this tokenizer; pick single-token answers")
        ids.append(int(toks[0]))
    return ids


def encode_prompts(tokenizer, prompts: Sequence[str], max_length: int = 512):
    """Left-padded ``input_ids``, ``attention_mask`` and the positions of the soft-token slots.

    Returns ``(ids, mask, slots)``: ``slots`` is ``None`` when no prompt has slots,
    else a ``(batch, 2)`` tensor of the positions of :data:`USER_SLOT` and
    :data:`ITEM_SLOT` (every prompt must then hold both, once, user first). A
    prompt longer than ``max_length`` tokens is cut from the left (the question
    at the end is kept); a cut that removes a slot is an error.
    """
    prompts = check_texts(prompts, "prompts")
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    rows, slot_pos = [], []
    with_slots = [all(s in p for s in SLOTS) for p in prompts]
    if any(with_slots) and not all(with_slots):
        raise ValueError("either every prompt or none must hold both soft-token slots")
    for p in prompts:
        if with_slots[0]:
            head, rest = p.split(USER_SLOT, 1)
            mid, tail = rest.split(ITEM_SLOT, 1)
            if USER_SLOT in tail or ITEM_SLOT in tail or ITEM_SLOT in head:
                raise ValueError("each slot must appear once, user slot first")
            parts = [tokenizer.encode(x, add_special_tokens=False) for x in (head, mid, tail)]
            ids = parts[0] + [pad] + parts[1] + [pad] + parts[2]
            pos = [len(parts[0]), len(parts[0]) + 1 + len(parts[1])]
        else:
            ids, pos = tokenizer.encode(p, add_special_tokens=False), []
        cut = max(0, len(ids) - max_length)
        if cut and pos and min(pos) < cut:
            raise ValueError(f"a prompt of {len(ids)} tokens exceeds max_length={max_length} and the cut "
                             "would remove a soft-token slot; shorten the history")
        rows.append(ids[cut:])
        slot_pos.append([q - cut for q in pos])
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, width - len(r):] = torch.as_tensor(r)
        mask[b, width - len(r):] = 1
    slots = None
    if with_slots[0]:
        slots = torch.as_tensor(slot_pos, dtype=torch.long) + (width - torch.as_tensor([len(r) for r in rows]))[:, None]
    return ids, mask, slots


def last_logits(model, ids: torch.Tensor, mask: torch.Tensor, slots=None, soft=None) -> torch.Tensor:
    """Next-token logits ``(batch, vocabulary)`` after each (left-padded) prompt.

    ``soft``: ``(batch, 2, hidden)`` vectors put in place of the slot embeddings.
    """
    embeds = model.get_input_embeddings()(ids)
    if soft is not None:
        if slots is None:
            raise ValueError("soft vectors given but the prompts have no slots")
        rows = torch.arange(len(ids), device=ids.device)[:, None].expand_as(slots)
        embeds = embeds.index_put((rows, slots), soft.to(embeds.dtype))
    position_ids = (mask.cumsum(-1) - 1).clamp_min(0)
    out = model(inputs_embeds=embeds, attention_mask=mask, position_ids=position_ids, logits_to_keep=1,
                use_cache=False)
    return out.logits[:, -1, :].float()


def length_batches(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Index batches of similar length (longest first): little padding, same results in input order."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    return [order[s:s + batch_size] for s in range(0, len(order), batch_size)]


@torch.no_grad()
def score_yes_no(lm, prompts: Sequence[str], batch_size: int = 16, soft=None, max_length: int = 512,
                 verbose: bool = False) -> np.ndarray:
    """``logit(Yes) - logit(No)`` after each prompt, as a float64 array in input order.

    ``lm`` is a :class:`~hybridrec_ref.llm.loader.PretrainedLM`; ``soft`` an
    optional callable ``soft(index_array) -> (batch, 2, hidden)`` giving the
    soft-token vectors of those prompts (CoLLM).
    """
    from tqdm.auto import tqdm

    prompts = check_texts(prompts, "prompts")
    batch_size = check_int("batch_size", batch_size)
    yes, no = answer_ids(lm.tokenizer)
    out = np.empty(len(prompts), dtype=np.float64)
    was_training = lm.model.training
    lm.model.eval()
    try:
        for idx in tqdm(length_batches([len(p) for p in prompts], batch_size), disable=not verbose,
                        desc="scoring", leave=False):
            ids, mask, slots = encode_prompts(lm.tokenizer, [prompts[i] for i in idx], max_length)
            ids, mask = ids.to(lm.device), mask.to(lm.device)
            vec = None if soft is None else soft(idx)
            with lm.autocast():
                logits = last_logits(lm.model, ids, mask, None if slots is None else slots.to(lm.device), vec)
            out[idx] = (logits[:, yes] - logits[:, no]).cpu().numpy()
    finally:
        lm.model.train(was_training)
    return out


@torch.no_grad()
def generate(lm, prompts: Sequence[str], max_new_tokens: int = 24, batch_size: int = 16,
             verbose: bool = False) -> list[str]:
    """Greedy continuations of ``prompts`` (special tokens removed, stripped), in input order."""
    from tqdm.auto import tqdm

    prompts = check_texts(prompts, "prompts")
    tok = lm.tokenizer
    out: list[str] = [""] * len(prompts)
    for idx in tqdm(length_batches([len(p) for p in prompts], batch_size), disable=not verbose,
                    desc="generating", leave=False):
        ids, mask, _ = encode_prompts(tok, [prompts[i] for i in idx])
        with lm.autocast():
            gen = lm.model.generate(input_ids=ids.to(lm.device), attention_mask=mask.to(lm.device),
                                    max_new_tokens=max_new_tokens, do_sample=False,
                                    pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
        for j, i in enumerate(idx):
            out[i] = tok.decode(gen[j, ids.shape[1]:], skip_special_tokens=True).strip()
    return out
