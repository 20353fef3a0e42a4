"""What every sequential recommender shares (chapter 5): batching, training, scoring.

Caser, GRU4Rec and SASRec differ only in the network that reads a user's
time-ordered history. Everything else lives here, once:

- :func:`user_histories` sorts each user's training interactions by time
  and cuts them into left-padded windows of ``max_len + 1`` items (item
  index + 1, 0 is padding), so long histories give several training windows
  and every interaction is a prediction target exactly once;
- a :class:`SequenceNet` maps a window ``(B, L)`` to one state per position
  ``(B, L, d)``; the state at position ``t`` may only depend on items up to
  ``t`` (causal), so all positions train in parallel;
- :class:`SequentialRecommender` trains the net with full softmax
  cross-entropy over *all* items (no sampled negatives: with a few thousand
  items the full softmax is cheap and gives exact gradients), then scores a
  user by the state after their whole (truncated) history times every
  item embedding: a full ranking over the catalogue.

Chapter 5 explains why evaluation must rank all items (leave-last-out, full
ranking) rather than one positive among 100 sampled negatives.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..base import Recommender, mask_seen
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything
from ..train import train_epochs
from ..validation import check_frac, check_int, check_nonnegative, check_positive


def _time_order(data: Interactions) -> np.ndarray:
    """Interaction order by (user, timestamp), ties kept in input order."""
    if data.timestamps is None:
        raise ValueError("sequential models need timestamps to order each user's history; these interactions have none")
    return np.lexsort((np.arange(len(data)), data.timestamps, data.users))


def user_histories(data: Interactions, max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Windows of ``max_len + 1`` consecutive items per user (left-padded with 0), and each window's user.

    Items are shifted by one (``item + 1``) so 0 can pad. The latest window of
    each user ends with their latest interaction; earlier windows tile the
    rest of the history backwards and overlap by one item, so each interaction
    but a user's first is a target exactly once (input ``w[:, :-1]``, target
    ``w[:, 1:]``).
    """
    order = _time_order(data)
    users, items = data.users[order], data.items[order] + 1
    counts = np.bincount(users, minlength=data.n_users)
    ends = np.cumsum(counts)
    from_end = ends[users] - 1 - np.arange(len(users))  # 0 for each user's latest interaction
    n_win = np.where(counts > 0, np.maximum(1, (counts - 1 + max_len - 1) // max_len), 0)
    first_win = np.r_[0, np.cumsum(n_win)[:-1]]
    win_in_user = np.minimum(from_end // max_len, n_win[users] - 1)
    col = max_len - (from_end - win_in_user * max_len)
    windows = np.zeros((int(n_win.sum()), max_len + 1), dtype=np.int64)
    ok = col >= 0
    windows[first_win[users[ok]] + win_in_user[ok], col[ok]] = items[ok]
    # the item just before a window starts it (column 0), so the window's first target has an input
    head = (from_end % max_len == 0) & (from_end > 0) & (from_end // max_len <= n_win[users])
    windows[first_win[users[head]] + from_end[head] // max_len - 1, 0] = items[head]
    return torch.as_tensor(windows), torch.as_tensor(np.repeat(np.arange(data.n_users), n_win))


def last_items(data: Interactions, max_len: int) -> torch.Tensor:
    """``(n_users, max_len)``: each user's latest ``max_len`` items (+1), left-padded with 0."""
    order = _time_order(data)
    users, items = data.users[order], data.items[order] + 1
    counts = np.bincount(users, minlength=data.n_users)
    from_end = np.cumsum(counts)[users] - 1 - np.arange(len(users))
    keep = from_end < max_len
    out = np.zeros((data.n_users, max_len), dtype=np.int64)
    out[users[keep], max_len - 1 - from_end[keep]] = items[keep]
    return torch.as_tensor(out)


def next_item_metrics(scores: torch.Tensor, targets: torch.Tensor, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Hit@k and NDCG@k of one held-out item per row, ranked among all items (ties count against it)."""
    target_score = scores.gather(1, targets[:, None])
    rank = (scores >= target_score).sum(1) - 1  # 0-based; ties pessimistic
    hit = (rank < k).float()
    ndcg = hit / torch.log2(rank.float() + 2.0)
    return hit.cpu().numpy(), ndcg.cpu().numpy()


class SequenceNet(nn.Module):
    """Base of the sequence networks: item embedding (row 0 = padding) and the output scores."""

    def __init__(self, n_items: int, dim: int):
        super().__init__()
        self.item_emb = nn.Embedding(n_items + 1, dim, padding_idx=0)
        nn.init.normal_(self.item_emb.weight, std=dim ** -0.5)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()

    def forward(self, seq: torch.Tensor, users: torch.Tensor) -> torch.Tensor:  # (B, L) -> (B, L, d)
        raise NotImplementedError

    def logits(self, states: torch.Tensor) -> torch.Tensor:
        """Scores of every real item (tied input/output embeddings): ``(..., d) -> (..., n_items)``."""
        return states @ self.item_emb.weight[1:].T


class SequentialRecommender(Recommender):
    """Train a :class:`SequenceNet` on time-ordered histories; subclasses implement ``_build``.

    Parameters (shared by Caser, GRU4Rec, SASRec)
    ----------
    max_len : items of history the network reads (longer histories are cut into windows).
    n_factors : embedding / hidden size.  dropout : dropout rate.
    n_epochs, batch_size, lr, weight_decay : Adam training on full softmax cross-entropy
    (:func:`hybridrec_ref.train.train_epochs`).
    patience : with ``valid``, stop after this many epochs without a better validation NDCG@10
        and restore the best epoch (``None``: run every epoch).
    device : ``"auto"``, ``"cpu"``, ``"cuda"``...  seed : seeds init and batch order.
    verbose : show a progress bar over epochs.

    ``fit(train, valid=None)``: with ``valid`` (one held-out next item per user,
    e.g. from ``leave_last_out(..., validation=True)``) Hit@10 and NDCG@10 on it
    are recorded after every epoch in ``history_`` (a learning curve; nothing
    is selected on it unless ``patience`` is set). :meth:`set_history` then lets the fitted model read
    longer histories (train + valid) at test time without retraining.
    """

    uses_validation = True  # fit(train, valid) records a validation curve in history_

    def __init__(self, max_len: int = 50, n_factors: int = 64, dropout: float = 0.2, n_epochs: int = 20,
                 batch_size: int = 128, lr: float = 1e-3, weight_decay: float = 0.0, patience: int | None = None,
                 device: str = "auto", seed: int = 42, verbose: bool = False):
        self.max_len, self.n_factors = check_int("max_len", max_len), check_int("n_factors", n_factors)
        self.dropout, self.n_epochs = check_frac("dropout", dropout, closed="left"), check_int("n_epochs", n_epochs)
        self.batch_size, self.lr = check_int("batch_size", batch_size), check_positive("lr", lr)
        self.weight_decay = check_nonnegative("weight_decay", weight_decay)
        self.patience = check_int("patience", patience, allow_none=True)
        self.device, self.seed, self.verbose = device, seed, verbose

    def _build(self, n_users: int, n_items: int) -> SequenceNet:
        raise NotImplementedError

    # ---------------------------------------------------------------- train

    def _fit(self, train: Interactions, valid: Interactions | None = None) -> None:
        gen = seed_everything(self.seed)
        dev = self.device_ = resolve_device(self.device)
        windows, win_users = user_histories(train, self.max_len)
        self.net_ = self._build(train.n_users, train.n_items).to(dev)
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        self.set_history(train, reset_seen=False)

        def batches(epoch):
            for idx in torch.randperm(len(windows), generator=gen).split(self.batch_size):
                w = windows[idx].to(dev)
                inp, tgt = w[:, :-1], w[:, 1:]
                mask = (inp > 0) & (tgt > 0)
                if not mask.any():
                    continue
                states = self.net_(inp, win_users[idx].to(dev))
                yield nn.functional.cross_entropy(self.net_.logits(states[mask]), tgt[mask] - 1), int(mask.sum())

        validate = None
        if valid is not None:
            v_users = np.unique(valid.users)
            v_csr = valid.to_csr()[v_users]
            v_targets = torch.as_tensor(v_csr.indices[v_csr.indptr[:-1]])  # one next item per user

            def validate(epoch):
                scores = mask_seen(self._score(v_users), self.seen_, v_users)
                hit, ndcg = next_item_metrics(scores, v_targets.to(scores.device), 10)
                return {"valid_HitRate@10": float(hit.mean()), "valid_NDCG@10": float(ndcg.mean())}

        self.history_ = train_epochs(self.net_.parameters(), opt, batches, n_epochs=self.n_epochs, module=self.net_,
                                     validate=validate, monitor="valid_NDCG@10",
                                     patience=self.patience if valid is not None else None,
                                     desc=type(self).__name__, verbose=self.verbose)
        self.net_.eval()

    def set_history(self, interactions: Interactions, reset_seen: bool = True) -> "SequentialRecommender":
        """Use ``interactions`` (same index space) as each user's history when scoring, without retraining.

        With ``reset_seen`` the items excluded from recommendations become these too.
        """
        if hasattr(self, "n_items_") and (interactions.n_users, interactions.n_items) != (self.n_users_, self.n_items_):
            raise ValueError("interactions live in a different index space than the training data")
        self.histories_ = last_items(interactions, self.max_len)
        if reset_seen:
            self.seen_ = interactions.to_csr("ones")
        return self

    # ---------------------------------------------------------------- score
    @torch.no_grad()
    def _score(self, users: np.ndarray) -> torch.Tensor:
        self.net_.eval()
        out = []
        for s in range(0, len(users), 512):
            u = torch.as_tensor(users[s:s + 512], device=self.device_)
            states = self.net_(self.histories_[u.cpu()].to(self.device_), u)
            out.append(self.net_.logits(states[:, -1]))
        return torch.cat(out) if out else torch.zeros((0, self.n_items_), device=self.device_)


def sampled_next_item_metrics(scores: torch.Tensor, targets: torch.Tensor, seen, users: np.ndarray,
                              n_negatives: int = 100, k: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hit@k and NDCG@k when the target is ranked among ``n_negatives`` sampled unseen items only.

    The shortcut many papers took (and chapter 5 warns against): with 100
    random negatives most of them are unpopular items any model ranks low, so
    the numbers are inflated and models can even swap order (Krichene and
    Rendle, 2020). Shown in the book next to the full ranking, never used for it.
    """
    gen = torch.Generator().manual_seed(seed)
    keys = torch.rand(scores.shape, generator=gen)
    rows = seen[users]
    r, c = rows.nonzero()
    keys[torch.as_tensor(r), torch.as_tensor(c)] = 2.0  # never sample a seen item...
    keys[torch.arange(len(users)), targets.cpu()] = 2.0  # ...or the target
    neg = torch.topk(keys, n_negatives, dim=1, largest=False).indices.to(scores.device)
    target_score = scores.gather(1, targets[:, None])
    rank = (scores.gather(1, neg) >= target_score).sum(1)
    hit = (rank < k).float()
    return hit.cpu().numpy(), (hit / torch.log2(rank.float() + 2.0)).cpu().numpy()
