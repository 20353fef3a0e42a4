"""Early fusion: one factorisation model over interactions and features (chapter 8, ``ch-multimodal``).

A movie comes with several *modalities*: who watched it (interactions), what
is written about it (a language model's text embedding), its metadata (genres,
year); a user with interactions and attributes (age, sex, occupation). Fusion
can happen at three depths (chapter 8 compares them):

- **early** (feature level): every modality enters one model as input
  features. :class:`FeatureMF` is a hybrid factorisation in the style of
  LightFM (Kula, 2015)::

      x_ui = (n_u p_u + A a_u) . (m_i q_i + B f_i) + w . f_i

  with free embeddings ``p_u``, ``q_i`` (the CF part), linear maps ``A`` of the
  user attributes ``a_u`` and ``B`` of the item features ``f_i`` (the
  side-information part) and an item bias ``w . f_i`` computed from features.
  ``m_i = 0`` for items without training interactions (their ``q_i`` was never
  trained), ``n_u = 0`` likewise for users: a cold item is scored from its
  features alone. During training each step drops the free embedding of a
  random share of the items (``item_dropout``; DropoutNet's idea, Volkovs et
  al., 2017), so the feature part learns to stand alone, as it must for cold
  items;
- **late** (score level): separate experts, one per modality, blended by
  :class:`~hybridrec_ref.fusion.weighted.WeightedHybrid`;
- **gated**: the blend's weights depend on the user's and the item's history
  (:class:`~hybridrec_ref.fusion.gated.GatedFusion`).

The user-attribute modality on its own is
:class:`~hybridrec_ref.fusion.demographic.DemographicPopularity`.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything
from ..train import train_epochs
from ..validation import check_features, check_frac, check_int, check_nonnegative, check_positive


class _FeatureMFModule(nn.Module):
    def __init__(self, n_users, n_items, n_factors, user_x, item_f, init_std, gen):
        super().__init__()
        self.user = nn.Parameter(torch.randn(n_users, n_factors, generator=gen) * init_std)
        self.item = nn.Parameter(torch.randn(n_items, n_factors, generator=gen) * init_std)
        self.register_buffer("item_f", item_f)
        self.item_map = nn.Linear(item_f.shape[1], n_factors)
        self.item_bias = nn.Linear(item_f.shape[1], 1)
        self.user_map = None
        if user_x is not None:
            self.register_buffer("user_x", user_x)
            self.user_map = nn.Linear(user_x.shape[1], n_factors, bias=False)

    def feature_weights(self):
        return [m.weight for m in (self.item_map, self.item_bias, self.user_map) if m is not None]

    def user_vectors(self, users, keep):
        v = keep[:, None] * self.user[users]
        return v if self.user_map is None else v + self.user_map(self.user_x[users])

    def item_vectors(self, items, keep):
        f = self.item_f[items]
        return keep[:, None] * self.item[items] + self.item_map(f), self.item_bias(f).squeeze(1)


class FeatureMF(Recommender):
    """Early fusion: a factorisation model over free embeddings *and* user/item features (see module docstring).

    Parameters
    ----------
    item_features : ``(n_items, d)`` array (e.g. MiniLM text embedding, genre one-hots, standardised year).
    user_features : ``(n_users, e)`` array of user attributes (:func:`~hybridrec_ref.data.user_attribute_matrix`),
        or ``None`` for items-only side information.
    n_factors, n_epochs, lr, reg, batch_size, init_std : model size and optimisation (Adam; ``reg`` is the L2
        weight on the free embeddings of each batch's users and items).
    feature_reg : L2 weight on the linear maps of the features (``A``, ``B``, ``w``): with a few hundred
        feature dimensions for a thousand items the feature part can memorise items, and this keeps it general.
    item_dropout, user_dropout : probability of dropping a warm item's (user's) free embedding in a step.
    seed, device, verbose : seeding, ``"auto"``/``"cpu"``/``"cuda"``, progress bar.

    The loss is the softmax cross-entropy of each training interaction's item
    against every item with training interactions (items without any are never
    used as negatives: the model would learn that their features mean "never
    chosen"). ``history_`` holds the mean ``loss`` per epoch
    (:func:`hybridrec_ref.train.train_epochs`).
    """

    def __init__(self, item_features, user_features=None, n_factors: int = 64, n_epochs: int = 10,
                 lr: float = 0.005, reg: float = 1e-4, feature_reg: float = 0.0, batch_size: int = 1024, init_std: float = 0.05,
                 item_dropout: float = 0.5, user_dropout: float = 0.0, seed: int = 42, device: str = "auto",
                 verbose: bool = False):
        self.item_features = check_features(item_features, "item_features")
        self.user_features = None if user_features is None else check_features(user_features, "user_features")
        self.n_factors, self.n_epochs = check_int("n_factors", n_factors), check_int("n_epochs", n_epochs)
        self.lr, self.reg = check_positive("lr", lr), check_nonnegative("reg", reg)
        self.feature_reg = check_nonnegative("feature_reg", feature_reg)
        self.batch_size, self.init_std = check_int("batch_size", batch_size), check_nonnegative("init_std", init_std)
        self.item_dropout = check_frac("item_dropout", item_dropout, closed="left")
        self.user_dropout = check_frac("user_dropout", user_dropout, closed="left")
        self.seed, self.device, self.verbose = seed, device, verbose

    def _fit(self, train: Interactions) -> None:
        check_features(self.item_features, "item_features", train.n_items)
        if self.user_features is not None:
            check_features(self.user_features, "user_features", train.n_users)
        dev = self.device_ = resolve_device(self.device)
        gen = seed_everything(self.seed)
        item_f = torch.as_tensor(self.item_features)
        user_x = None if self.user_features is None else torch.as_tensor(self.user_features)
        module = self.module_ = _FeatureMFModule(train.n_users, train.n_items, self.n_factors, user_x, item_f,
                                                 self.init_std, gen).to(dev)
        self.warm_items_ = torch.as_tensor(train.item_counts() > 0, device=dev)
        self.warm_users_ = torch.as_tensor(train.user_counts() > 0, device=dev)
        warm = self.warm_items_.nonzero(as_tuple=True)[0]
        local = torch.full((train.n_items,), -1, dtype=torch.int64, device=dev)
        local[warm] = torch.arange(len(warm), device=dev)
        coo = train.to_csr("ones").tocoo()
        u_all = torch.as_tensor(coo.row, dtype=torch.int64, device=dev)
        i_all = torch.as_tensor(coo.col, dtype=torch.int64, device=dev)
        opt = torch.optim.Adam(module.parameters(), lr=self.lr)
        n = len(u_all)

        def batches(epoch):
            order = torch.randperm(n, generator=gen).to(dev)
            for s in range(0, n, self.batch_size):
                idx = order[s:s + self.batch_size]
                u, i = u_all[idx], i_all[idx]
                keep_i = (torch.rand(len(warm), generator=gen) >= self.item_dropout).float().to(dev)
                keep_u = (torch.rand(len(u), generator=gen) >= self.user_dropout).float().to(dev)
                v, b = module.item_vectors(warm, keep_i)
                pu = module.user_vectors(u, keep_u)
                logits = pu @ v.T + b
                loss = F.cross_entropy(logits, local[i])
                loss = loss + self.reg * (module.user[u].pow(2).sum(1).mean() + module.item[i].pow(2).sum(1).mean())
                if self.feature_reg:
                    loss = loss + self.feature_reg * sum(w.pow(2).sum() for w in module.feature_weights())
                yield loss, len(u)

        self.history_ = train_epochs(module.parameters(), opt, batches, n_epochs=self.n_epochs, module=module,
                                     desc="FeatureMF epochs", verbose=self.verbose)
        self._freeze()

    @torch.no_grad()
    def _freeze(self) -> None:
        m = self.module_
        all_items = torch.arange(m.item.shape[0], device=self.device_)
        all_users = torch.arange(m.user.shape[0], device=self.device_)
        self.item_vectors_, self.item_bias_ = m.item_vectors(all_items, self.warm_items_.float())
        self.user_vectors_ = m.user_vectors(all_users, self.warm_users_.float())

    def _score(self, users: np.ndarray) -> torch.Tensor:
        u = torch.as_tensor(users, device=self.device_)
        return self.user_vectors_[u] @ self.item_vectors_.T + self.item_bias_
