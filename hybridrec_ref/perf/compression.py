"""Model compression: int8/fp16 text encoders, low-rank and product-quantised item factors (chapter 14, ``ch-scale``).

Three ways to make a model smaller and (sometimes) faster, each judged by what
it costs in ranking quality:

* :class:`CompressedTextEncoder`: the MiniLM encoder with its linear layers
  quantised to int8 by PyTorch's dynamic quantisation (weights stored in int8,
  activations quantised on the fly; CPU) or cast to float16 (halves memory;
  fast on GPUs, often slower on CPUs without fp16 units).
* :func:`compress_lm`: the same two compressions of the chapter-10 LLM
  (a :class:`~hybridrec_ref.llm.loader.PretrainedLM`), judged by its Yes/No AUC.
* :func:`low_rank_factors`: item factors ``Y`` replaced by their best rank-``r``
  approximation (truncated SVD), stored as two thin matrices.
* :class:`ProductQuantizer`: each item vector split into ``n_subspaces`` parts,
  each part replaced by the nearest of ``2^n_bits`` learned centroids (FAISS):
  ``n_subspaces * n_bits / 8`` bytes per item instead of ``4 d``.

:class:`FactorScores` turns any (user, item) factor pair into a recommender, so
a compressed model is evaluated with the same protocol as the original.
"""

from __future__ import annotations

import copy
import dataclasses
import io

import numpy as np
import torch

from ..base import Recommender
from ..content.encoder import TextEncoder
from ..data.interactions import Interactions
from ..validation import check_choice, check_int


def module_bytes(module: torch.nn.Module) -> int:
    """Size of a module's saved ``state_dict`` (what compression shrinks; packed int8 weights included)."""
    buf = io.BytesIO()
    torch.save(module.state_dict(), buf)
    return buf.getbuffer().nbytes


def compress_module(module: torch.nn.Module, compression: str) -> torch.nn.Module:
    """A compressed copy of ``module`` (the original is untouched), in evaluation mode.

    ``"int8"``: PyTorch's dynamic quantisation of every ``nn.Linear`` (int8 weights, activations
    quantised on the fly; CPU only); ``"fp16"``: every weight cast to float16; ``"none"``: a copy.
    """
    check_choice("compression", compression, ("int8", "fp16", "none"))
    if compression == "int8" and any(p.device.type != "cpu" for p in module.parameters()):
        raise ValueError("dynamic int8 quantisation runs on the CPU; move the model there or use fp16")
    with torch.no_grad():
        out = copy.deepcopy(module)
        if compression == "int8":
            out = torch.ao.quantization.quantize_dynamic(out, {torch.nn.Linear}, dtype=torch.qint8)
        elif compression == "fp16":
            out = torch.nn.Module.half(out)  # transformers refuses .half() on a GGUF-loaded model
    return out.eval()


def compress_lm(lm, compression: str):
    """A :class:`~hybridrec_ref.llm.loader.PretrainedLM` whose model is ``compress_module(lm.model, compression)``.

    Its ``model_id`` names the compression, so the score cache never mixes its scores with the
    full model's. Scoring code is unchanged (``score_yes_no`` reads float logits either way).
    The compressed model computes in its own precision, so its ``dtype`` is float32 (no autocast):
    int8 dynamic layers accept only float32 inputs, and a bf16 autocast around fp16 weights would
    measure a third precision instead of the one asked for.
    """
    return dataclasses.replace(lm, model=compress_module(lm.model, compression),
                               model_id=f"{lm.model_id}|{compression}", dtype=torch.float32)


class CompressedTextEncoder(TextEncoder):
    """:class:`~hybridrec_ref.content.TextEncoder` with ``compression="int8"`` (dynamic, CPU) or ``"fp16"``.

    Its ``cache_id`` names the compression, so cached vectors of the full model are never reused.
    """

    def __init__(self, model=None, compression: str = "int8", batch_size: int = 64, max_length: int = 128,
                 normalize: bool = True, device: str = "auto", cache_dir=None, verbose: bool = False):
        check_choice("compression", compression, ("int8", "fp16", "none"))
        super().__init__(model, batch_size, max_length, normalize, device, cache_dir, verbose)
        self.compression = compression

    @property
    def cache_id(self) -> str:
        return f"{super().cache_id}|{self.compression}"

    def _load(self):
        if self._model is None:
            _, model = super()._load()
            self._model = compress_module(model, self.compression)
        return self._tokenizer, self._model


def low_rank_factors(Y: np.ndarray | torch.Tensor, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """``(A, B)`` with ``A @ B`` the best rank-``rank`` approximation of ``Y`` (``A``: n x r, ``B``: r x d)."""
    Y = np.asarray(Y.cpu() if isinstance(Y, torch.Tensor) else Y, dtype=np.float32)
    rank = check_int("rank", rank, maximum=min(Y.shape))
    U, s, Vt = np.linalg.svd(Y, full_matrices=False)
    return (U[:, :rank] * s[:rank]).astype(np.float32), Vt[:rank].astype(np.float32)


class ProductQuantizer:
    """FAISS product quantiser: ``fit(Y)`` learns centroids and codes; ``decode()`` rebuilds approximate ``Y``."""

    def __init__(self, n_subspaces: int = 8, n_bits: int = 8):
        self.n_subspaces = check_int("n_subspaces", n_subspaces)
        self.n_bits = check_int("n_bits", n_bits, maximum=16)

    def fit(self, Y: np.ndarray | torch.Tensor) -> "ProductQuantizer":
        import faiss

        x = np.ascontiguousarray(np.asarray(Y.cpu() if isinstance(Y, torch.Tensor) else Y, dtype=np.float32))
        if x.shape[1] % self.n_subspaces:
            raise ValueError(f"dimension {x.shape[1]} is not divisible by n_subspaces={self.n_subspaces}")
        if len(x) < 2 ** self.n_bits:
            raise ValueError(f"{len(x)} vectors cannot train {2 ** self.n_bits} centroids; lower n_bits")
        self.pq_ = faiss.ProductQuantizer(x.shape[1], self.n_subspaces, self.n_bits)
        self.pq_.train(x)
        self.codes_ = self.pq_.compute_codes(x)
        self.code_bytes_ = int(self.codes_.nbytes)
        self.codebook_bytes_ = int(faiss.vector_to_array(self.pq_.centroids).nbytes)
        return self

    def decode(self) -> np.ndarray:
        return self.pq_.decode(self.codes_)


class FactorScores(Recommender):
    """A recommender from given factors: ``score = user_factors[u] @ item_factors.T`` (fit only records ``seen``)."""

    def __init__(self, user_factors, item_factors):
        self.user_factors, self.item_factors = user_factors, item_factors

    def _fit(self, train: Interactions) -> None:
        X = torch.as_tensor(np.asarray(self.user_factors, dtype=np.float32))
        Y = torch.as_tensor(np.asarray(self.item_factors, dtype=np.float32))
        if X.shape[0] != train.n_users or Y.shape[0] != train.n_items or X.shape[1] != Y.shape[1]:
            raise ValueError(f"factor shapes {tuple(X.shape)} and {tuple(Y.shape)} do not fit "
                             f"{train.n_users} users x {train.n_items} items")
        self.X_, self.Y_ = X, Y

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.X_[torch.as_tensor(users)] @ self.Y_.T
