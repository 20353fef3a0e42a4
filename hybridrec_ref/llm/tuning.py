"""Instruction tuning with LoRA on Yes/No answers (chapter 10, {ref}`sec-llm-tallrec`).

TALLRec {cite}`bao2023tallrec` tunes a LoRA adapter {cite}`hu2022lora` on a few
instruction samples whose answer is "Yes" or "No". :func:`add_lora` wraps the
model with ``peft`` (only the adapter's low-rank matrices train);
:func:`yes_no_loss` is the language-model loss of the answer token (cross-entropy
over the whole vocabulary at the position after the prompt); :func:`train_steps`
runs the loop used for both the adapter and the CoLLM projection
({ref}`sec-llm-collm`), on the book's one training loop
(:func:`~hybridrec_ref.train.train_epochs`); :func:`learning_curve` gets the
whole few-shot curve from one pass. Each forward pass runs in its own autocast context
(one context around the whole loop keeps reusing the first bf16 copy of the
trainable weights, and the loss never moves).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch

from ..perf.device import seed_everything
from ..train import train_epochs
from ..validation import check_frac, check_int, check_positive, check_texts
from .scoring import answer_ids, encode_prompts, last_logits


def add_lora(lm, r: int = 8, alpha: int = 16, dropout: float = 0.05, target_modules=("q_proj", "v_proj"),
             seed: int = 0):
    """A copy of ``lm`` (a :class:`~hybridrec_ref.llm.loader.PretrainedLM`) whose model carries a fresh LoRA adapter.

    The base weights are shared with ``lm`` and frozen; ``reset_adapter(tuned)``
    puts the adapter back to this initial state (zero ``B``: the tuned model
    starts exactly as the base model).
    """
    from peft import LoraConfig, get_peft_model

    r, alpha = check_int("r", r), check_int("alpha", alpha)
    dropout = check_frac("dropout", dropout, closed="left")
    torch.manual_seed(seed)
    config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=list(target_modules),
                        task_type="CAUSAL_LM")
    model = get_peft_model(lm.model, config)
    initial = {k: v.detach().clone() for k, v in model.named_parameters() if v.requires_grad}
    return replace(lm, model=model, model_id=f"{lm.model_id}|lora(r={r},alpha={alpha},targets={list(target_modules)})",
                   info={**lm.info, "lora_initial": initial,
                         "n_trainable": sum(v.numel() for v in initial.values())})


def reset_adapter(tuned) -> None:
    """Restore the adapter weights of a model from :func:`add_lora` to their initial values."""
    params = dict(tuned.model.named_parameters())
    with torch.no_grad():
        for k, v in tuned.info["lora_initial"].items():
            params[k].copy_(v)


def yes_no_loss(lm, prompts: Sequence[str], labels, soft: Callable | None = None,
                max_length: int = 512) -> Callable[[np.ndarray], torch.Tensor]:
    """``loss(index_array)``: cross-entropy of the answer token ("Yes" if label else "No") for those prompts.

    ``soft(index_array) -> (batch, 2, hidden)`` supplies soft-token vectors (CoLLM).
    """
    prompts = check_texts(prompts, "prompts")
    labels = np.asarray(labels).astype(bool)
    if labels.shape != (len(prompts),):
        raise ValueError(f"{labels.size} labels for {len(prompts)} prompts")
    yes, no = answer_ids(lm.tokenizer)
    targets = torch.as_tensor(np.where(labels, yes, no), dtype=torch.long)

    def loss(idx: np.ndarray) -> torch.Tensor:
        ids, mask, slots = encode_prompts(lm.tokenizer, [prompts[i] for i in idx], max_length)
        vec = None if soft is None else soft(idx)
        with lm.autocast():  # one autocast context per forward pass
            logits = last_logits(lm.model, ids.to(lm.device), mask.to(lm.device),
                                 None if slots is None else slots.to(lm.device), vec)
        return torch.nn.functional.cross_entropy(logits.float(), targets[torch.as_tensor(idx)].to(lm.device))

    return loss


def _one_pass(loss_fn: Callable[[np.ndarray], torch.Tensor], order: np.ndarray, batch_size: int,
              losses: list[float] | None = None):
    """``(loss, weight)`` mini-batches over ``order`` for :func:`~hybridrec_ref.train.train_epochs`.

    Appends each step's loss to ``losses`` when given (``train_steps`` returns them)."""
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        loss = loss_fn(idx)
        if losses is not None:
            losses.append(float(loss.detach()))
        yield loss, len(idx)


def _setup(params, batch_size: int, lr: float, weight_decay: float, seed: int):
    batch_size, lr = check_int("batch_size", batch_size), check_positive("lr", lr)
    params = [p for p in params if p.requires_grad]
    if not params:
        raise ValueError("no trainable parameters given")
    seed_everything(seed)
    return params, torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay), np.random.default_rng(seed)


def train_steps(loss_fn: Callable[[np.ndarray], torch.Tensor], n_samples: int, params, n_epochs: int = 1,
                batch_size: int = 4, lr: float = 1e-3, weight_decay: float = 0.0, seed: int = 0,
                modules: Sequence[torch.nn.Module] = (), verbose: bool = False) -> list[float]:
    """Mini-batch AdamW over ``n_samples`` for ``n_epochs`` (a fresh random order each epoch); the loss of every step.

    ``params`` are the trainable tensors (the adapter, a projection); ``modules``
    are put in train mode for the loop (dropout) and back in eval mode after it.
    The loop itself is the book's one training loop,
    :func:`~hybridrec_ref.train.train_epochs`.
    """
    n_samples, n_epochs = check_int("n_samples", n_samples), check_int("n_epochs", n_epochs)
    params, opt, rng = _setup(params, batch_size, lr, weight_decay, seed)
    losses: list[float] = []
    mode = torch.nn.ModuleList(modules)
    try:
        train_epochs(params, opt, lambda epoch: _one_pass(loss_fn, rng.permutation(n_samples), batch_size, losses),
                     n_epochs=n_epochs, module=mode, verbose=verbose)
    finally:
        mode.eval()
    return losses


def learning_curve(loss_fn: Callable[[np.ndarray], torch.Tensor], sizes: Sequence[int], params,
                   at_size: Callable[[int, np.ndarray], dict | None], batch_size: int = 4, lr: float = 1e-3,
                   weight_decay: float = 0.0, seed: int = 0, modules: Sequence[torch.nn.Module] = (),
                   verbose: bool = False) -> pd.DataFrame:
    """One pass over ``max(sizes)`` samples in a seeded random order; ``at_size(n, seen)`` after the first ``n``.

    With a single pass and a constant learning rate, the state after the first
    ``n`` samples is exactly the state that training on those ``n`` samples
    alone (same order, same seed) reaches: AdamW takes the same steps with the
    same step counts. So one run gives TALLRec's whole 16 / 64 / 256 curve for
    the cost of its largest point. ``seen`` holds the indices of those ``n``
    samples (the identity of what was trained on, e.g. for a score cache);
    ``at_size`` evaluates the model and may return a dict of columns.

    Returns one row per size, indexed by ``n_samples``: the mean training
    ``loss`` of the segment since the previous size, ``train_seconds`` (cumulative
    training time, evaluation excluded) and the columns ``at_size`` returned.
    Each size must be a multiple of ``batch_size`` (so no batch straddles a
    boundary) and they must increase.
    """
    sizes = [check_int("size", n) for n in sizes]
    params, opt, rng = _setup(params, batch_size, lr, weight_decay, seed)  # validates batch_size and lr
    if not sizes or sizes != sorted(set(sizes)) or any(n % batch_size for n in sizes):
        raise ValueError(f"sizes must increase and be multiples of batch_size={batch_size}, got {sizes}")
    order, bounds = rng.permutation(sizes[-1]), [0, *sizes]
    eval_seconds = []

    def evaluate(segment: int) -> dict:
        t = time.time()
        row = at_size(sizes[segment - 1], order[:sizes[segment - 1]]) or {}
        eval_seconds.append(time.time() - t)
        return dict(row)

    mode = torch.nn.ModuleList(modules)
    try:
        history = train_epochs(params, opt, lambda seg: _one_pass(loss_fn, order[bounds[seg - 1]:bounds[seg]],
                                                                   batch_size),
                               n_epochs=len(sizes), module=mode, validate=evaluate, desc="learning curve",
                               verbose=verbose)
    finally:
        mode.eval()
    history["train_seconds"] = (history.pop("seconds").to_numpy() - np.asarray(eval_seconds)).cumsum()
    history.index = pd.Index(sizes, name="n_samples")
    return history


def trainable_parameters(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The parameters of ``module`` that require gradients, by name."""
    return {k: v for k, v in module.named_parameters() if v.requires_grad}
