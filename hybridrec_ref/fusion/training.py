"""Training strategies for LM + CF hybrids: co-training vs alternating training (chapter 7).

The model is :class:`~hybridrec_ref.fusion.two_tower.TwoTowerModule`: score
``x_ui = p_u . (m_i e_i + A(t_i))`` with a CF part (``p_u``, ``e_i``) and an LM
part (the adapter ``A`` over the item's text embedding ``t_i``, plus the
encoder when it is fine-tuned). Both strategies minimise the *same* loss,

    BPR:      L = mean_(u,i,j) [ -log sigma(x_ui - x_uj) ] + reg * mean(|p_u|^2 + |e_i|^2 + |e_j|^2)
    softmax:  L = mean_(u,i) [ -x_ui + log(exp(x_ui) + sum_(n in N) exp(x_un)) ] + the same L2 term

(``j`` one negative per positive, ``N`` a set of negatives shared by the
mini-batch, both drawn uniformly from the items with training interactions,
the user's positives excluded). They differ only in *which parameters each
step updates*:

- ``strategy="joint"`` (co-training): every step updates both groups;
- ``strategy="alternating"``: one group is optimised while the other is frozen,
  switching every epoch (``switch_every="epoch"``) or every ``N`` steps, in the
  order of ``phases`` (CF part first by default).

One loop serves both: :func:`active_groups` says which groups take gradients
at a step, and the rest get ``requires_grad=False`` (no gradient, so Adam
leaves them exactly unchanged).
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from ..base import Recommender
from ..cf.bpr import sample_negatives
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything
from ..train import best_epoch, ranking_validator, train_epochs
from .losses import bpr_loss, sampled_softmax_loss
from .two_tower import GROUPS, TextTower, TwoTowerModule
from ..validation import check_frac, check_int, check_nonnegative, check_positive

STRATEGIES = ("joint", "alternating")
LOSSES = ("bpr", "softmax")


def active_groups(strategy: str, epoch: int, step: int, switch_every="epoch", phases=("cf", "lm")) -> tuple:
    """Parameter groups that receive gradients at ``epoch`` / global ``step`` (both 0-based)."""
    if strategy == "joint":
        return GROUPS
    if strategy != "alternating":
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    phase = epoch if switch_every == "epoch" else step // switch_every
    return (phases[phase % len(phases)],)


class TwoTowerHybrid(Recommender):
    """CF embeddings + an adapter over (frozen or fine-tuned) LM item embeddings, trained jointly or alternately.

    Parameters
    ----------
    item_text : ``(n_items, d)`` array of text embeddings (frozen; e.g. ``TextEncoder().encode(texts)``),
        or, with ``finetune_encoder=True``, the list of item texts.
    strategy : ``"joint"`` (co-training) or ``"alternating"``.
    switch_every, phases : alternating schedule: ``"epoch"`` or a number of steps; the group order.
    n_factors, adapter, hidden : embedding size, ``"linear"`` or ``"mlp"`` adapter, MLP width.
    loss, n_negatives : ``"bpr"`` (one negative per positive) or ``"softmax"`` (``n_negatives`` shared).
    n_epochs, lr, reg, batch_size, init_std : optimisation (Adam), L2 on the embeddings, initialisation.
    cf_dropout : probability of dropping a positive item's CF embedding in a step, so the text
        tower learns to stand alone (as it must for cold items; DropoutNet's idea). 0 disables it.
    finetune_encoder : run the transformer in the loop and fine-tune it (GPU; slow on a CPU).
    encoder, tokenizer : the transformer to fine-tune: ``None`` (packaged all-MiniLM-L6-v2), a model
        directory, or a ``transformers`` model (then pass its ``tokenizer``). Copied, never modified.
    max_length, encoder_lr : tokens per item text and the encoder's learning rate.
    patience : with validation data, stop after this many epochs without a better NDCG@k and
        restore the best epoch (``None``: run every epoch, keep the last).
    k, seed, device, verbose : validation cut-off, seeding, ``"auto"``/``"cpu"``/``"cuda"``, progress bar.

    ``fit(train, valid=None)`` trains with :func:`hybridrec_ref.train.train_epochs`; ``history_`` has one
    row per epoch: mean training ``loss``, the ``groups`` updated, and ``valid_NDCG@k`` when ``valid`` is given.
    """

    uses_validation = True  # fit(train, valid) records NDCG@k per epoch and can stop early

    def __init__(self, item_text, strategy: str = "joint", switch_every="epoch", phases=("cf", "lm"),
                 n_factors: int = 64, adapter: str = "linear", hidden: int = 128, loss: str = "bpr",
                 n_negatives: int = 128, n_epochs: int = 20, lr: float = 0.005, reg: float = 1e-3,
                 batch_size: int = 4096, init_std: float = 0.1, cf_dropout: float = 0.0,
                 finetune_encoder: bool = False, encoder=None, tokenizer=None, max_length: int = 32,
                 encoder_lr: float = 2e-5, patience: int | None = None, k: int = 10, seed: int = 42,
                 device: str = "auto", verbose: bool = False):
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
        if switch_every != "epoch":
            switch_every = check_int("switch_every (or 'epoch')", switch_every)
        if not phases or set(phases) - set(GROUPS):
            raise ValueError(f"phases must be a non-empty sequence of {GROUPS}, got {phases!r}")
        if adapter not in ("linear", "mlp"):
            raise ValueError(f"adapter must be 'linear' or 'mlp', got {adapter!r}")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        for name in ("n_factors", "hidden", "n_negatives", "n_epochs", "batch_size", "max_length", "k"):
            check_int(name, locals()[name])
        check_int("patience", patience, allow_none=True)
        check_positive("lr", lr), check_positive("encoder_lr", encoder_lr)
        check_nonnegative("reg", reg), check_nonnegative("init_std", init_std)
        check_frac("cf_dropout", cf_dropout, closed="left")
        if encoder is not None and not isinstance(encoder, str) and tokenizer is None:
            raise ValueError("a transformers model passed as encoder needs its tokenizer: pass tokenizer=...")
        self.item_text, self.strategy, self.switch_every, self.phases = item_text, strategy, switch_every, tuple(phases)
        self.n_factors, self.adapter, self.hidden = int(n_factors), adapter, int(hidden)
        self.loss, self.n_negatives, self.n_epochs, self.lr, self.reg = loss, int(n_negatives), int(n_epochs), lr, reg
        self.batch_size, self.init_std, self.cf_dropout = int(batch_size), init_std, cf_dropout
        self.finetune_encoder, self.encoder, self.tokenizer = finetune_encoder, encoder, tokenizer
        self.max_length, self.encoder_lr, self.patience = int(max_length), encoder_lr, patience
        self.k, self.seed, self.device, self.verbose = int(k), seed, device, verbose

    # -------------------------------------------------------------- fitting

    def _text_input(self, n_items: int):
        """The frozen embedding tensor, or a :class:`TextTower` over a copy of the encoder."""
        if not self.finetune_encoder:
            if isinstance(self.item_text, (list, tuple)) and self.item_text and isinstance(self.item_text[0], str):
                raise TypeError("item_text holds strings: encode them first (TextEncoder().encode(texts)) "
                                "or set finetune_encoder=True")
            text = np.asarray(self.item_text, dtype=np.float32)
            if text.ndim != 2 or text.shape[0] != n_items:
                raise ValueError(f"item_text must be an (n_items={n_items}, d) array, got shape {text.shape}")
            if not np.isfinite(text).all():
                raise ValueError("item_text contains NaN or inf; fill or re-encode those items")
            return torch.as_tensor(text)
        texts = list(self.item_text) if not isinstance(self.item_text, str) else None
        if texts is None or not all(isinstance(t, str) for t in texts):
            raise TypeError("finetune_encoder=True needs item_text as a list of strings (one per item)")
        if len(texts) != n_items:
            raise ValueError(f"item_text has {len(texts)} texts for {n_items} items")
        from transformers import AutoModel, AutoTokenizer

        if self.encoder is None or isinstance(self.encoder, str):
            from ..content.encoder import default_model_path

            path = str(default_model_path()) if self.encoder is None else self.encoder
            tok = self.tokenizer or AutoTokenizer.from_pretrained(path)
            model = AutoModel.from_pretrained(path)
        else:
            tok, model = self.tokenizer, copy.deepcopy(self.encoder)
        batch = tok(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
        return TextTower(model, batch["input_ids"], batch["attention_mask"])

    def _fit(self, train: Interactions, valid: Interactions | None = None) -> None:
        dev = self.device_ = resolve_device(self.device)
        gen = seed_everything(self.seed)
        text = self._text_input(train.n_items)
        counts = train.item_counts()
        self.warm_ = counts > 0
        warm_items = torch.as_tensor(np.flatnonzero(self.warm_), device=dev)
        local = np.full(train.n_items, -1)
        local[self.warm_] = np.arange(len(warm_items))  # item index -> position among warm items
        csr = train.to_csr("ones")
        if (np.diff(csr.indptr) >= len(warm_items)).any():
            raise ValueError("a user has interacted with every item: there is no negative to sample for them")
        coo = csr.tocoo()
        u_all = torch.as_tensor(coo.row, dtype=torch.int64, device=dev)
        i_all = torch.as_tensor(coo.col, dtype=torch.int64, device=dev)
        n_warm = len(warm_items)  # negatives are drawn among warm items, in their local numbering
        pos_keys = torch.sort(u_all * n_warm + torch.as_tensor(local[coo.col], device=dev)).values
        module = self.module_ = TwoTowerModule(train.n_users, train.n_items, self.n_factors, text,
                                               torch.as_tensor(self.warm_), self.adapter, self.hidden,
                                               self.init_std, gen).to(dev)
        groups = module.groups()
        encoder_params = set(map(id, module.tower.parameters())) if module.tower is not None else set()
        lm = [p for p in groups["lm"] if id(p) not in encoder_params]
        enc = [p for p in groups["lm"] if id(p) in encoder_params]
        opt = torch.optim.Adam([{"params": groups["cf"], "lr": self.lr}, {"params": lm, "lr": self.lr}]
                               + ([{"params": enc, "lr": self.encoder_lr}] if enc else []))
        n, bs, step, used = len(u_all), self.batch_size, 0, set()

        def batches(epoch):  # epoch is 1-based; the schedule counts from 0
            nonlocal step
            used.clear()
            order = torch.randperm(n, generator=gen).to(dev)
            users, pos = u_all[order], i_all[order]
            negs = warm_items[sample_negatives(users, pos_keys, n_warm, gen)] if self.loss == "bpr" else None
            for s in range(0, n, bs):
                active = active_groups(self.strategy, epoch - 1, step, self.switch_every, self.phases)
                used.update(active)
                for g, params in groups.items():
                    for p in params:
                        p.requires_grad_(g in active)
                u, i = users[s:s + bs], pos[s:s + bs]
                yield self._batch_loss(module, u, i, None if negs is None else negs[s:s + bs],
                                       warm_items, pos_keys, gen), len(u)
                step += 1

        def log(epoch):
            return {"groups": "+".join(g for g in GROUPS if g in used)}

        validate, monitor = None, f"valid_NDCG@{self.k}"
        if valid is not None:
            ndcg = ranking_validator(self, train, valid, self.k)

            def validate(epoch):
                self._freeze_vectors()
                return ndcg(epoch)

        self.history_ = train_epochs(module.parameters(), opt, batches, n_epochs=self.n_epochs, module=module,
                                     validate=validate, monitor=monitor,
                                     patience=self.patience if valid is not None else None, log=log,
                                     desc=f"{self.strategy} epochs", verbose=self.verbose)
        self.best_epoch_ = best_epoch(self.history_, monitor) if valid is not None else self.n_epochs
        for p in module.parameters():
            p.requires_grad_(True)
        self._freeze_vectors()

    def _batch_loss(self, module, u, i, j, warm_items, pos_keys, gen) -> torch.Tensor:
        """Loss of one mini-batch of positives ``(u, i)`` (and BPR negatives ``j``); one item-tower pass."""
        b = len(i)
        if self.loss == "bpr":
            items = torch.cat([i, j])
        else:  # shared negatives, drawn among warm items; a user's own positives are masked out
            negs_local = torch.randint(len(warm_items), (self.n_negatives,), generator=gen).to(u.device)
            items = torch.cat([i, warm_items[negs_local]])
        keep = None
        if self.cf_dropout > 0:  # drop the CF part of some positives: the text tower must carry them
            keep = torch.ones(len(items), device=u.device)
            keep[:b] = (torch.rand(b, generator=gen) >= self.cf_dropout).float().to(u.device)
        pu, v = module.user[u], module.item_vectors(items, keep)
        pos = (pu * v[:b]).sum(1)
        reg = pu.pow(2).sum(1).mean() + module.item[i].pow(2).sum(1).mean()
        if self.loss == "bpr":
            fit = bpr_loss(pos, (pu * v[b:]).sum(1))
            reg = reg + module.item[j].pow(2).sum(1).mean()
        else:
            keys = u[:, None] * len(warm_items) + negs_local[None, :]
            hit = pos_keys[torch.searchsorted(pos_keys, keys).clamp_max(len(pos_keys) - 1)] == keys
            fit = sampled_softmax_loss(pos, pu @ v[b:].T, hit)
        return fit + self.reg * reg

    @torch.no_grad()
    def _freeze_vectors(self) -> None:
        """Current user and item vectors, used by ``score`` (and by validation during training)."""
        self.module_.eval()
        self.user_vectors_ = self.module_.user.detach().clone()
        self.item_vectors_ = self.module_.all_item_vectors().detach()

    def _score(self, users: np.ndarray) -> torch.Tensor:
        u = torch.as_tensor(users, device=self.device_)
        return self.user_vectors_[u] @ self.item_vectors_.T
