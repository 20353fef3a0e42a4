"""The losses the two-tower hybrid trains with (chapter 7, ``ch-training``).

    BPR:      mean_(u,i,j) [ -log sigma(x_ui - x_uj) ]
    softmax:  mean_(u,i) [ -x_ui + log(exp(x_ui) + sum_(n in N) exp(x_un)) ]

``j`` is one negative per positive; ``N`` a set of negatives shared by the mini-batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def bpr_loss(pos: torch.Tensor, neg: torch.Tensor) -> torch.Tensor:
    """``mean(-log sigma(x_ui - x_uj))`` for paired positive / negative scores."""
    return -F.logsigmoid(pos - neg).mean()


def sampled_softmax_loss(pos: torch.Tensor, neg: torch.Tensor, neg_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Cross-entropy of the positive against shared negatives: ``pos (B,)``, ``neg (B, K)``.

    ``neg_mask`` (B, K) is True where a sampled negative is in fact one of the
    user's positives; those logits are dropped.
    """
    if neg_mask is not None:
        neg = neg.masked_fill(neg_mask, -torch.inf)
    logits = torch.cat([pos[:, None], neg], 1)
    return (torch.logsumexp(logits, 1) - pos).mean()
