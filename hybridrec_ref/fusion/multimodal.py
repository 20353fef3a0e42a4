"""Multimodal fusion: early fusion of features in one model, and a demographic expert (chapter 8).

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

:class:`DemographicPopularity` is the user-attribute modality on its own: what
is popular among users like this one (same age bucket and sex by default),
shrunk towards global popularity for small groups.
"""

from __future__ import annotations

import copy
import hashlib

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ..base import Recommender
from ..content.profile import feature_matrix
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything


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
    chosen"). ``history_`` holds the mean loss per epoch.
    """

    def __init__(self, item_features, user_features=None, n_factors: int = 64, n_epochs: int = 10,
                 lr: float = 0.005, reg: float = 1e-4, feature_reg: float = 0.0, batch_size: int = 1024, init_std: float = 0.05,
                 item_dropout: float = 0.5, user_dropout: float = 0.0, seed: int = 42, device: str = "auto",
                 verbose: bool = False):
        for name, v in (("n_factors", n_factors), ("n_epochs", n_epochs), ("batch_size", batch_size)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if lr <= 0 or reg < 0 or feature_reg < 0 or init_std < 0:
            raise ValueError(f"lr must be positive and reg, feature_reg, init_std non-negative; "
                             f"got {lr}, {reg}, {feature_reg}, {init_std}")
        for name, p in (("item_dropout", item_dropout), ("user_dropout", user_dropout)):
            if not 0 <= p < 1:
                raise ValueError(f"{name} must lie in [0, 1), got {p}")
        self.item_features = feature_matrix(item_features, "item_features")
        self.user_features = None if user_features is None else feature_matrix(user_features, "user_features")
        self.n_factors, self.n_epochs, self.lr, self.reg = int(n_factors), int(n_epochs), float(lr), float(reg)
        self.feature_reg = float(feature_reg)
        self.batch_size, self.init_std = int(batch_size), float(init_std)
        self.item_dropout, self.user_dropout = float(item_dropout), float(user_dropout)
        self.seed, self.device, self.verbose = seed, device, verbose

    def __repr__(self) -> str:
        u = None if self.user_features is None else self.user_features.shape
        fingerprint = hashlib.sha1(self.item_features.tobytes() + (b"" if self.user_features is None else
                                                                     self.user_features.tobytes())).hexdigest()[:10]
        params = ", ".join(f"{k}={getattr(self, k)!r}" for k in ("n_factors", "n_epochs", "lr", "reg", "feature_reg",
                                                                "batch_size", "init_std", "item_dropout",
                                                                "user_dropout", "seed", "device"))
        return f"FeatureMF(item_features={self.item_features.shape}, user_features={u}, {params}, features#{fingerprint})"

    def _fit(self, train: Interactions) -> None:
        feature_matrix(self.item_features, "item_features", train.n_items)
        if self.user_features is not None:
            feature_matrix(self.user_features, "user_features", train.n_users)
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
        n, history = len(u_all), []
        for _ in tqdm(range(self.n_epochs), disable=not self.verbose, desc="FeatureMF epochs"):
            order = torch.randperm(n, generator=gen).to(dev)
            total = 0.0
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
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(u)
            history.append(total / n)
        self.history_ = np.asarray(history)
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


class DemographicPopularity(Recommender):
    """Popularity among users of the same demographic group, shrunk towards global popularity.

    For user ``u`` in group ``g`` with ``N_g`` training interactions, of which
    ``c_g(i)`` on item ``i``, and global popularity ``p(i) = c(i) / N``::

        score(u, i) = (c_g(i) + smoothing * p(i)) / (N_g + smoothing)

    A group with no data scores global popularity; a huge group its own
    popularity. Users without any training interaction are scored too: their
    group is all the model needs to know (the new-user case).

    Parameters
    ----------
    user_groups : integer (or any hashable) group label per user index, e.g. from
        :func:`~hybridrec_ref.data.user_groups` (age bucket x sex).
    smoothing : pseudo-count of global popularity mixed into each group (>= 0).
    device : where scores live.
    """

    def __init__(self, user_groups, smoothing: float = 50.0, device: str = "auto"):
        groups = np.asarray(user_groups)
        if groups.ndim != 1 or len(groups) == 0:
            raise ValueError(f"user_groups must be a non-empty 1-D array (one label per user), got shape {groups.shape}")
        if smoothing < 0:
            raise ValueError(f"smoothing must be non-negative, got {smoothing}")
        self.user_groups, self.smoothing, self.device = groups, float(smoothing), device

    def __repr__(self) -> str:
        return f"DemographicPopularity(n_groups={len(np.unique(self.user_groups))}, smoothing={self.smoothing})"

    def _fit(self, train: Interactions) -> None:
        if len(self.user_groups) != train.n_users:
            raise ValueError(f"user_groups has {len(self.user_groups)} labels for {train.n_users} users")
        _, codes = np.unique(self.user_groups, return_inverse=True)
        n_groups = codes.max() + 1
        member = sp.csr_matrix((np.ones(train.n_users), (codes, np.arange(train.n_users))),
                               shape=(n_groups, train.n_users))
        counts = np.asarray((member @ train.to_csr("ones")).todense(), dtype=np.float64)   # (n_groups, n_items)
        total = counts.sum(0)
        p = total / max(total.sum(), 1.0)
        table = (counts + self.smoothing * p) / np.maximum(counts.sum(1, keepdims=True) + self.smoothing, 1e-12)
        dev = self.device_ = resolve_device(self.device)
        self.group_codes_ = torch.as_tensor(codes, device=dev)
        self.group_popularity_ = torch.as_tensor(table, dtype=torch.float32, device=dev)

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.group_popularity_[self.group_codes_[torch.as_tensor(users, device=self.device_)]]


def _fingerprint(data: Interactions) -> str:
    h = hashlib.sha1(np.asarray([data.n_users, data.n_items, len(data)], dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(data.users).tobytes())
    h.update(np.ascontiguousarray(data.items).tobytes())
    return h.hexdigest()


class SharedFit(Recommender):
    """Wrap an expert so that every copy of it shares one fit per training set.

    Fusion models copy their experts and fit them twice (on an inner split to
    learn the weights, then on all of ``train``). Comparing late and gated
    fusion over the same experts would fit each expert four times; wrapped in
    ``SharedFit``, the copies look up a fit of the same data (same users, items
    and index space, same model class and hyper-parameters, as its ``repr`` shows them) in
    a shared cache and only fit what is new. One cache can serve several experts.
    """

    def __init__(self, model: Recommender, cache: dict | None = None):
        if not isinstance(model, Recommender):
            raise TypeError(f"SharedFit wraps a Recommender, got {type(model).__name__}")
        self.model, self.cache = model, ({} if cache is None else cache)

    def __deepcopy__(self, memo):
        return SharedFit(self.model, self.cache)   # copies share the unfitted model and the cache

    def __repr__(self) -> str:
        return f"SharedFit({self.model!r}, {len(self.cache)} fits cached)"

    def _fit(self, train: Interactions) -> None:
        key = (type(self.model).__name__, repr(self.model), _fingerprint(train))
        if key not in self.cache:
            self.cache[key] = copy.deepcopy(self.model).fit(train)
        self.fitted_ = self.cache[key]

    def _score(self, users: np.ndarray) -> torch.Tensor:
        return self.fitted_.score(users)
