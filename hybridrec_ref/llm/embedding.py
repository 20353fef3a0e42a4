"""The pretrained LLM as a text encoder: mean-pooled hidden states (chapter 11, ``sec-social-llm``).

:class:`LLMEncoder` reads item text with the chapter-10 LLM (:func:`~hybridrec_ref.llm.load_pretrained_lm`)
instead of a sentence encoder, and returns vectors of the LLM's hidden size with the same
interface as :class:`~hybridrec_ref.content.TextEncoder` (``encode``, ``dim``, the verified
embedding cache), so every content and fusion model of the package takes them unchanged.

The vector of a text is the mean of the decoder's last hidden states over its tokens, the
simplest pooling for a causal LM. It is not what the model was trained for: a decoder's state
at a token sees only the tokens before it, and nothing in its training pulled texts with
similar meaning together, as a sentence encoder's contrastive training does. Chapter 11
measures what that costs against MiniLM on the same text.
"""

from __future__ import annotations

import torch

from ..content.encoder import TextEncoder
from .loader import PretrainedLM


class LLMEncoder(TextEncoder):
    """Mean-pooled last hidden states of a loaded :class:`PretrainedLM` (see the module docstring).

    Parameters: ``lm`` (from :func:`load_pretrained_lm`; its device and dtype are used),
    ``batch_size``, ``max_length`` (tokens read per text), ``normalize``, ``cache_dir``, ``verbose``.
    Texts are padded on the right, so every real token keeps its position.
    """

    def __init__(self, lm: PretrainedLM, batch_size: int = 16, max_length: int = 128, normalize: bool = True,
                 cache_dir=None, verbose: bool = False):
        if not isinstance(lm, PretrainedLM):
            raise TypeError(f"lm must be a PretrainedLM from load_pretrained_lm(), got {type(lm).__name__}")
        super().__init__(model=lm.model_id, batch_size=batch_size, max_length=max_length, normalize=normalize,
                         device=str(lm.device), cache_dir=cache_dir, verbose=verbose)
        self.lm = lm

    @property
    def model_path(self) -> str:
        return self.lm.source or self.lm.model_id

    @property
    def cache_id(self) -> str:
        """The LLM's identity (its weights' SHA-256 for the book's model), dtype, pooling and settings."""
        return f"{self.lm.model_id}|{self.lm.dtype}|mean-last|len={self.max_length}|norm={self.normalize}"

    def _load(self):
        self.device_ = self.lm.device
        return self.lm.tokenizer, self.lm.model.base_model   # the decoder without its LM head

    def _hidden(self, model, batch) -> torch.Tensor:
        with self.lm.autocast():
            return model(**batch).last_hidden_state

    def __repr__(self) -> str:
        return (f"LLMEncoder(lm={self.lm.model_id!r}, batch_size={self.batch_size}, max_length={self.max_length}, "
                f"normalize={self.normalize}, cache_dir={self.cache_dir!r})")
