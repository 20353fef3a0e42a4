"""The neural language models of chapter 2: an LSTM and a causal Transformer.

Both follow the architecture of chapter 2 (``ch-lm``), "The architecture of a neural language model"::

    token ids --> embedding --> encoder --> decoder (output layer) --> next-token logits
    (B, T)        (B, T, d)     (B, T, d)   Linear(d, V)               (B, T, V)

- :class:`LSTMLM`: the encoder is a stack of LSTM layers (reads left to right,
  so position ``t`` only sees tokens ``<= t``).
- :class:`TransformerLM`: the encoder is a stack of pre-layer-norm blocks
  (``x + Attn(LN(x))`` then ``x + FFN(LN(x))``) whose self-attention is
  *causal*: a mask stops position ``t`` from attending to later positions, so
  changing token ``t+1`` cannot change the output at ``t`` (tested). Positions
  are added to the embeddings, learned or sinusoidal (Vaswani et al. 2017).
  With item-id sentences this is SASRec (Kang & McAuley 2018) trained with a
  full softmax.

The decoder can share its weights with the embedding (``tie_weights``).
Both models expose the interface every LM of the chapter shares:
:meth:`next_log_probs` (distribution of the next token after each prefix)
and :meth:`token_log_probs` (log-probability of the tokens of sentences),
which :mod:`~hybridrec_ref.lm.evaluate`, :mod:`~hybridrec_ref.lm.generate` and
:mod:`~hybridrec_ref.lm.recommender` use without knowing which model they hold.
Sequences are right-padded with ``<pad>`` (id 0).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ..validation import check_frac
from .vocab import BOS_ID, PAD_ID


def pad_batch(seqs: Sequence[np.ndarray], device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad id arrays with ``<pad>`` into a ``(B, T)`` tensor; also return the lengths."""
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    if len(seqs) == 0 or lengths.min() < 1:
        raise ValueError("pad_batch needs at least one sequence and no empty sequence")
    out = torch.full((len(seqs), int(lengths.max())), PAD_ID, dtype=torch.long)
    for b, s in enumerate(seqs):
        out[b, :len(s)] = torch.as_tensor(np.asarray(s, dtype=np.int64))
    return out.to(device), lengths.to(device)


class NeuralLM(nn.Module):
    """Shared plumbing: config for checkpoints, device, and the two query methods."""

    #: longest context the model can read (None: unbounded)
    max_context: int | None = None

    def _init_common(self, vocab_size: int, d_model: int, dropout: float, tie_weights: bool, seed: int):
        if vocab_size < 2:
            raise ValueError(f"vocab_size must be at least 2, got {vocab_size}")
        if d_model < 1:
            raise ValueError(f"d_model must be positive, got {d_model}")
        check_frac("dropout", dropout, closed="left")
        torch.manual_seed(seed)
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=PAD_ID)
        self.dropout = nn.Dropout(dropout)
        self.decoder = nn.Linear(d_model, vocab_size)
        if tie_weights:
            self.decoder.weight = self.embedding.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T)`` token ids -> ``(B, T, V)`` next-token logits: decoder(encoder(embedding(x)))."""
        return self.decoder(self.encode(x))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T)`` token ids -> ``(B, T, d_model)`` hidden states (embedding + encoder)."""
        raise NotImplementedError

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def _check_ids(self, x: torch.Tensor) -> None:
        if x.dim() != 2:
            raise ValueError(f"expected a (batch, time) tensor of token ids, got shape {tuple(x.shape)}")
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"empty input of shape {tuple(x.shape)}: give at least one sequence of at least one token")
        if x.numel() and (x.min() < 0 or x.max() >= self.config["vocab_size"]):
            raise ValueError(f"token ids must lie in [0, {self.config['vocab_size']}), "
                             f"got [{int(x.min())}, {int(x.max())}]")

    def _crop(self, seqs: Sequence[np.ndarray]) -> list[np.ndarray]:
        if self.max_context is None:
            return [np.asarray(s) for s in seqs]
        return [np.asarray(s)[-self.max_context:] for s in seqs]

    @torch.no_grad()
    def next_log_probs(self, prefixes: Sequence[np.ndarray], batch_size: int = 256) -> torch.Tensor:
        """``(B, V)`` log-probabilities of the token after each prefix (the last ``max_context`` tokens are read)."""
        was_training = self.training
        self.eval()
        out = []
        prefixes = self._crop(prefixes)
        for i in range(0, len(prefixes), batch_size):
            x, lengths = pad_batch(prefixes[i:i + batch_size], self.device)
            hidden = self.encode(x)[torch.arange(len(x), device=x.device), lengths - 1]
            out.append(F.log_softmax(self.decoder(hidden).float(), dim=-1))
        self.train(was_training)
        return torch.cat(out)

    @torch.no_grad()
    def token_log_probs(self, sentences: Sequence[np.ndarray], last_n: int | None = None,
                        batch_size: int = 128) -> np.ndarray:
        """Log-probability of every token after ``<bos>`` (or of each sentence's last ``last_n``), concatenated.

        With ``last_n`` each target reads at most ``max_context`` tokens
        before it; without it a sentence longer than ``max_context + 1``
        raises ``ValueError``.
        """
        was_training = self.training
        self.eval()
        out = []
        for s in sentences:
            if len(s) < 2 or s[0] != BOS_ID:
                raise ValueError("each sentence needs <bos> (id 2) and at least one token to predict")
        if last_n is None:
            for s in sentences:
                if self.max_context is not None and len(s) - 1 > self.max_context:
                    raise ValueError(f"a sentence of length {len(s)} exceeds max_context={self.max_context}; "
                                     "score only its last tokens with last_n or build the model with a larger max_len")
            for i in range(0, len(sentences), batch_size):
                chunk = sentences[i:i + batch_size]
                x, lengths = pad_batch(chunk, self.device)
                logp = F.log_softmax(self(x[:, :-1]).float(), dim=-1)
                tok = logp.gather(-1, x[:, 1:, None])[..., 0]
                mask = torch.arange(x.shape[1] - 1, device=x.device)[None] < (lengths - 1)[:, None]
                out.append(tok[mask].cpu().numpy())
        else:
            if last_n < 1:
                raise ValueError(f"last_n must be at least 1, got {last_n}")
            prefixes, targets = [], []
            for s in sentences:
                for t in range(max(1, len(s) - last_n), len(s)):
                    prefixes.append(s[:t])
                    targets.append(int(s[t]))
            logp = self.next_log_probs(prefixes)
            out.append(logp[torch.arange(len(targets)), torch.tensor(targets, device=logp.device)].cpu().numpy())
        self.train(was_training)
        return np.concatenate(out).astype(np.float64)


class LSTMLM(NeuralLM):
    """Embedding -> ``n_layers`` LSTM -> linear decoder over the vocabulary (chapter 2).

    An LSTM can read any length; ``max_len`` (optional) caps the window it is
    trained on and reads at prediction time, which bounds the cost of long
    histories (the recurrence is sequential in time).
    """

    def __init__(self, vocab_size: int, d_model: int = 128, n_layers: int = 1, dropout: float = 0.2,
                 tie_weights: bool = True, max_len: int | None = None, seed: int = 42):
        super().__init__()
        if n_layers < 1:
            raise ValueError(f"n_layers must be at least 1, got {n_layers}")
        if max_len is not None and max_len < 1:
            raise ValueError(f"max_len must be positive (or None for no limit), got {max_len}")
        self.config = dict(vocab_size=vocab_size, d_model=d_model, n_layers=n_layers, dropout=dropout,
                           tie_weights=tie_weights, max_len=max_len, seed=seed)
        self._init_common(vocab_size, d_model, dropout, tie_weights, seed)
        self.max_context = max_len  # training windows and prediction contexts (None: whole sentences)
        self.encoder = nn.LSTM(d_model, d_model, n_layers, batch_first=True,
                               dropout=dropout if n_layers > 1 else 0.0)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        self._check_ids(x)
        h, _ = self.encoder(self.dropout(self.embedding(x)))
        return self.dropout(h)


def sinusoidal_positions(max_len: int, d_model: int) -> torch.Tensor:
    """``(max_len, d_model)`` table ``sin(pos / 10000^(2i/d))``, ``cos(...)`` (Vaswani et al. 2017)."""
    pos = torch.arange(max_len, dtype=torch.float32)[:, None]
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
    table = torch.zeros(max_len, d_model)
    table[:, 0::2] = torch.sin(pos * freq)
    table[:, 1::2] = torch.cos(pos * freq)[:, :d_model // 2]
    return table


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where position ``t`` attends only to positions ``<= t``."""

    def __init__(self, d_model: int, n_heads: int, dropout: float):
        super().__init__()
        self.n_heads, self.p = n_heads, dropout
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, D = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_heads, D // self.n_heads).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=self.p if self.training else 0.0)
        return self.proj(y.transpose(1, 2).reshape(B, T, D))


class Block(nn.Module):
    """Pre-layer-norm Transformer block: ``x + Attn(LN(x))``, then ``x + FFN(LN(x))``."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.attn = CausalSelfAttention(d_model, n_heads, dropout)
        self.ffn = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.drop(self.attn(self.ln1(x)))
        return x + self.drop(self.ffn(self.ln2(x)))


class TransformerLM(NeuralLM):
    """Embedding + positions -> ``n_layers`` causal pre-LN blocks -> final LN -> linear decoder (chapter 2)."""

    def __init__(self, vocab_size: int, d_model: int = 64, n_heads: int = 2, n_layers: int = 2,
                 d_ff: int | None = None, max_len: int = 128, dropout: float = 0.2,
                 positional: str = "learned", tie_weights: bool = True, seed: int = 42):
        super().__init__()
        if n_heads < 1 or d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be a positive multiple of n_heads ({n_heads})")
        if n_layers < 1:
            raise ValueError(f"n_layers must be at least 1, got {n_layers}")
        if max_len < 1:
            raise ValueError(f"max_len must be positive, got {max_len}")
        if positional not in ("learned", "sinusoidal"):
            raise ValueError(f"positional must be 'learned' or 'sinusoidal', got {positional!r}")
        d_ff = d_ff or 4 * d_model
        self.config = dict(vocab_size=vocab_size, d_model=d_model, n_heads=n_heads, n_layers=n_layers, d_ff=d_ff,
                           max_len=max_len, dropout=dropout, positional=positional, tie_weights=tie_weights,
                           seed=seed)
        self._init_common(vocab_size, d_model, dropout, tie_weights, seed)
        self.max_context = max_len
        if positional == "learned":
            self.positions = nn.Parameter(torch.randn(max_len, d_model) * 0.1)
        else:
            self.register_buffer("positions", sinusoidal_positions(max_len, d_model))
        self.blocks = nn.ModuleList(Block(d_model, n_heads, d_ff, dropout) for _ in range(n_layers))
        self.ln_f = nn.LayerNorm(d_model)
        # embeddings ~ N(0, 1/d) scaled by sqrt(d): unit-size inputs, and O(1) logits when tied
        nn.init.normal_(self.embedding.weight, std=d_model ** -0.5)
        with torch.no_grad():
            self.embedding.weight[PAD_ID].zero_()
        self.scale = math.sqrt(d_model)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, T)`` token ids (``T <= max_len``) -> ``(B, T, d_model)`` causal hidden states."""
        self._check_ids(x)
        if x.shape[1] > self.max_context:
            raise ValueError(f"sequence length {x.shape[1]} exceeds max_len={self.max_context}; "
                             "crop inputs to their last max_len tokens")
        h = self.dropout(self.embedding(x) * self.scale + self.positions[:x.shape[1]])
        for block in self.blocks:
            h = block(h)
        return self.ln_f(h)


MODELS = {"LSTMLM": LSTMLM, "TransformerLM": TransformerLM}
