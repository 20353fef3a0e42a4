"""Explicit biased matrix factorisation, "SVD" in the Netflix-prize sense (chapter 3, ``ch-cf``, "Matrix factorisation").

The model (Koren, Bell & Volinsky 2009) predicts ``r_ui = mu + b_u + b_i + p_u . q_i``
and minimises the squared error on observed ratings plus
``reg * (b_u^2 + b_i^2 + |p_u|^2 + |q_i|^2)`` by stochastic gradient descent,
one update per rating in a shuffled order::

    e = r_ui - r_hat_ui
    b_u += lr (e - reg b_u);          b_i += lr (e - reg b_i)
    p_u += lr (e q_i - reg p_u);      q_i += lr (e p_u - reg q_i)

The defaults are Surprise's ``SVD`` defaults (100 factors, 20 epochs,
``lr=0.005``, ``reg=0.02``, factors initialised from ``N(0, 0.1^2)``,
biases at 0). Surprise applies the updates one rating at a time in a Python-
free loop; here the updates are applied to mini-batches of ``batch_size``
ratings at once with torch (gradients of the ratings in a batch are *summed*,
so each rating still moves its parameters by ``lr`` times its own gradient,
which keeps the learning rate comparable with per-rating SGD). With
``batch_size=1`` this is plain per-rating SGD (slow in Python).

``fit(train, valid=None)`` records ``history_``, a DataFrame with one row
per epoch: the training RMSE accumulated during the epoch (each rating's
error just before its update, which costs nothing extra) and, if ``valid``
is given, the validation RMSE at the end of the epoch; the learning curves of
chapter 3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from ..base import Recommender
from ..data.interactions import Interactions
from ..perf.device import resolve_device, seed_everything
from ..validation import check_int, check_nonnegative, check_positive


class FactorRatings:
    """Prediction and scoring for a fitted biased factorisation ``r_ui = mu + b_u + b_i + p_u . q_i``.

    Shared by :class:`MatrixFactorization` and the trust-regularised
    :class:`~hybridrec_ref.cf.social.SocialMF`: they learn the factors differently and
    predict the same way. ``biased = False`` drops ``mu`` and the biases.
    """

    biased = True

    def _raw(self, u: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
        dot = (self.user_factors_[u] * self.item_factors_[i]).sum(1)
        if not self.biased:
            return dot
        return self.mu_ + self.user_bias_[u] + self.item_bias_[i] + dot

    def _predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        pred = self._raw(torch.as_tensor(users, device=self.device_), torch.as_tensor(items, device=self.device_))
        return pred.clamp(*self.rating_range_).cpu().numpy()

    def _score(self, users: np.ndarray) -> torch.Tensor:
        u = torch.as_tensor(users, device=self.device_)
        s = self.user_factors_[u] @ self.item_factors_.T
        if self.biased:
            s = s + self.mu_ + self.user_bias_[u][:, None] + self.item_bias_[None, :]
        return s


class MatrixFactorization(FactorRatings, Recommender):
    """Biased MF for explicit ratings trained with (mini-batch) SGD; Surprise ``SVD`` defaults.

    Parameters
    ----------
    n_factors, n_epochs, lr, reg, init_std : as in Surprise's ``SVD``.
    biased : use ``mu + b_u + b_i`` (True) or the dot product only.
    batch_size : ratings per SGD step (summed gradients; see the module docstring).
    seed, device, verbose : seeding, ``"auto"``/``"cpu"``/``"cuda"``, tqdm progress bar.
    """

    predicts_ratings = True
    uses_validation = True  # fit(train, valid) tracks validation RMSE in history_

    def __init__(self, n_factors: int = 100, n_epochs: int = 20, lr: float = 0.005, reg: float = 0.02,
                 init_std: float = 0.1, biased: bool = True, batch_size: int = 1024, seed: int = 42,
                 device: str = "auto", verbose: bool = False):
        self.n_factors, self.n_epochs = check_int("n_factors", n_factors), check_int("n_epochs", n_epochs)
        self.lr, self.reg = check_positive("lr", lr), check_nonnegative("reg", reg)
        self.init_std, self.biased = check_nonnegative("init_std", init_std), bool(biased)
        self.batch_size = check_int("batch_size", batch_size)
        self.seed, self.device, self.verbose = seed, device, verbose


    def _fit(self, train: Interactions, valid: Interactions | None = None) -> None:
        if train.ratings is None:
            raise ValueError("MatrixFactorization needs explicit ratings; use BPR or ALS for implicit feedback")
        dev = self.device_ = resolve_device(self.device)
        gen = seed_everything(self.seed)
        nu, ni, f = train.n_users, train.n_items, self.n_factors
        P = (torch.randn(nu, f, generator=gen) * self.init_std).to(dev)
        Q = (torch.randn(ni, f, generator=gen) * self.init_std).to(dev)
        P[torch.as_tensor(train.user_counts() == 0, device=dev)] = 0.0  # no data, no taste: score by biases only
        bu = torch.zeros(nu, device=dev)
        bi = torch.zeros(ni, device=dev)
        u_all = torch.as_tensor(train.users, device=dev)
        i_all = torch.as_tensor(train.items, device=dev)
        r_all = torch.as_tensor(train.ratings, dtype=torch.float32, device=dev)
        mu = self.mu_ = float(train.ratings.mean()) if self.biased else 0.0
        lr, reg, bs = self.lr, self.reg, self.batch_size
        n = len(train)
        history = []
        if valid is not None and valid.ratings is None:
            raise ValueError("valid must carry ratings: MatrixFactorization tracks validation RMSE")
        for epoch in tqdm(range(self.n_epochs), disable=not self.verbose, desc="MF epochs"):
            order = torch.randperm(n, generator=gen).to(dev)
            sq_err = torch.zeros((), device=dev)
            for s in range(0, n, bs):
                idx = order[s:s + bs]
                u, i, r = u_all[idx], i_all[idx], r_all[idx]
                pu, qi = P[u], Q[i]
                err = r - (mu + bu[u] + bi[i] + (pu * qi).sum(1)) if self.biased else r - (pu * qi).sum(1)
                sq_err += (err * err).sum()
                if self.biased:
                    bu.index_add_(0, u, lr * (err - reg * bu[u]))
                    bi.index_add_(0, i, lr * (err - reg * bi[i]))
                P.index_add_(0, u, lr * (err[:, None] * qi - reg * pu))
                Q.index_add_(0, i, lr * (err[:, None] * pu - reg * qi))
            if not (torch.isfinite(sq_err) and torch.isfinite(P).all() and torch.isfinite(Q).all()):
                raise FloatingPointError(f"MatrixFactorization diverged in epoch {epoch + 1} (lr={self.lr}): "
                                         "the parameters became NaN or infinite; lower lr or raise reg")
            self.user_factors_, self.item_factors_, self.user_bias_, self.item_bias_ = P, Q, bu, bi
            # training RMSE as seen during the epoch (before each batch's update): free to compute
            row = {"epoch": epoch + 1, "train_rmse": float(torch.sqrt(sq_err / n))}
            if valid is not None:
                row["valid_rmse"] = self._rmse(valid)
            history.append(row)
        self.rating_range_ = (float(train.ratings.min()), float(train.ratings.max()))
        self.history_ = pd.DataFrame(history).set_index("epoch")

    def _rmse(self, data: Interactions) -> float:
        dev = self.device_
        pred = self._raw(torch.as_tensor(data.users, device=dev), torch.as_tensor(data.items, device=dev))
        return float(torch.sqrt(((pred.cpu() - torch.as_tensor(data.ratings)) ** 2).mean()))
