"""The two containers every chapter shares: `Interactions` and `Dataset`.

`Interactions` holds user/item *indices* (0..n-1) with optional ratings and
timestamps, plus the maps back to raw ids. Splits keep the index space of the
data they split (same `n_users`, `n_items`, same id maps), so a model fitted on
a training part scores exactly the items the test part refers to.

Chapter 1 ("MovieLens-100k at a glance") introduces both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp


def _as_1d(name: str, values, dtype) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.dtype(dtype).kind == "i" and arr.size:
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{name} must be integer indices, got dtype {arr.dtype}; build from raw ids "
                            "with Interactions.from_raw")
        if arr.dtype.kind == "f" and not (np.isfinite(arr).all() and (arr == np.round(arr)).all()):
            bad = int((~np.isfinite(arr) | (arr != np.round(arr))).sum())
            raise ValueError(f"{name} contains {bad} NaN, infinite or fractional value(s); "
                             "indices must be whole numbers (0.7 is not user 0)")
    return arr.astype(dtype, copy=False)


@dataclass(frozen=True, eq=False)
class Interactions:
    """User-item interactions in index space.

    Parameters
    ----------
    users, items : int arrays of equal length, indices in ``[0, n_users)`` and
        ``[0, n_items)``.
    n_users, n_items : sizes of the index spaces (may exceed the largest index
        present: a split keeps the full space).
    ratings : optional float array (explicit feedback); no NaN allowed.
    timestamps : optional int array (seconds).
    user_ids, item_ids : raw ids, ``user_ids[u]`` is the raw id of index ``u``.

    Build one from raw ids with :meth:`from_raw`.
    """

    users: np.ndarray
    items: np.ndarray
    n_users: int
    n_items: int
    ratings: np.ndarray | None = None
    timestamps: np.ndarray | None = None
    user_ids: np.ndarray | None = None
    item_ids: np.ndarray | None = None
    _user_index: dict = field(default=None, repr=False, compare=False)
    _item_index: dict = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        users = _as_1d("users", self.users, np.int64)
        items = _as_1d("items", self.items, np.int64)
        if len(users) != len(items):
            raise ValueError(
                f"users and items must have the same length, got {len(users)} and {len(items)}"
            )
        object.__setattr__(self, "users", users)
        object.__setattr__(self, "items", items)
        for name in ("ratings", "timestamps"):
            arr = getattr(self, name)
            if arr is None:
                continue
            arr = _as_1d(name, arr, np.float32 if name == "ratings" else np.int64)
            if len(arr) != len(users):
                raise ValueError(
                    f"{name} has length {len(arr)} but there are {len(users)} interactions"
                )
            if name == "ratings" and not np.isfinite(arr).all():
                bad = int((~np.isfinite(arr)).sum())
                raise ValueError(
                    f"ratings contain {bad} NaN or infinite value(s); drop or impute them before building Interactions"
                )
            object.__setattr__(self, name, arr)
        if self.n_users <= 0 or self.n_items <= 0:
            raise ValueError(f"n_users and n_items must be positive, got {self.n_users}, {self.n_items}")
        if len(users):
            if users.min() < 0 or users.max() >= self.n_users:
                raise ValueError(f"user indices must lie in [0, {self.n_users}), got [{users.min()}, {users.max()}]")
            if items.min() < 0 or items.max() >= self.n_items:
                raise ValueError(f"item indices must lie in [0, {self.n_items}), got [{items.min()}, {items.max()}]")
        for name, n in (("user_ids", self.n_users), ("item_ids", self.n_items)):
            ids = getattr(self, name)
            if ids is None:
                ids = np.arange(n)
            ids = np.asarray(ids)
            if len(ids) != n:
                raise ValueError(f"{name} has {len(ids)} entries for an index space of {n}")
            object.__setattr__(self, name, ids)
        object.__setattr__(self, "_user_index", {raw: i for i, raw in enumerate(self.user_ids.tolist())})
        object.__setattr__(self, "_item_index", {raw: i for i, raw in enumerate(self.item_ids.tolist())})

    # ------------------------------------------------------------------ build
    @classmethod
    def from_raw(cls, users: Iterable, items: Iterable, ratings=None, timestamps=None) -> "Interactions":
        """Index raw user/item ids (sorted order) and build the container.

        Raises ``ValueError`` on empty input, mismatched lengths or NaN ratings.
        """
        users = np.asarray(list(users) if not hasattr(users, "__len__") else users)
        items = np.asarray(list(items) if not hasattr(items, "__len__") else items)
        if len(users) != len(items):
            raise ValueError(f"users and items must have the same length, got {len(users)} and {len(items)}")
        if len(users) == 0:
            raise ValueError("no interactions given: cannot build an index space from empty data")
        user_ids, u = np.unique(users, return_inverse=True)
        item_ids, i = np.unique(items, return_inverse=True)
        return cls(u, i, len(user_ids), len(item_ids), ratings, timestamps, user_ids, item_ids)

    # ------------------------------------------------------------ accessors
    def __len__(self) -> int:
        return len(self.users)

    def __repr__(self) -> str:
        extra = [n for n in ("ratings", "timestamps") if getattr(self, n) is not None]
        return (f"Interactions({len(self):,} interactions, {self.n_users:,} users, "
                f"{self.n_items:,} items{', with ' + ' and '.join(extra) if extra else ''})")

    @property
    def density(self) -> float:
        """Fraction of the user x item matrix that is observed."""
        return len(self) / (self.n_users * self.n_items)

    def user_index(self, raw_ids) -> np.ndarray:
        """Map raw user ids to indices; unknown ids raise ``KeyError`` naming them."""
        return self._lookup(raw_ids, self._user_index, "user")

    def item_index(self, raw_ids) -> np.ndarray:
        """Map raw item ids to indices; unknown ids raise ``KeyError`` naming them."""
        return self._lookup(raw_ids, self._item_index, "item")

    @staticmethod
    def _lookup(raw_ids, table, kind) -> np.ndarray:
        raw = np.atleast_1d(np.asarray(raw_ids)).tolist()
        missing = [r for r in raw if r not in table]
        if missing:
            shown = ", ".join(map(repr, missing[:5])) + (" ..." if len(missing) > 5 else "")
            raise KeyError(f"unknown {kind} id(s): {shown}; ids must come from the data the model was built on")
        return np.array([table[r] for r in raw], dtype=np.int64)

    # ----------------------------------------------------------- transforms
    def subset(self, mask_or_index) -> "Interactions":
        """Rows selected by a boolean mask or index array, in the same index space."""
        sel = np.asarray(mask_or_index)

        def pick(a):
            return None if a is None else a[sel]

        return Interactions(self.users[sel], self.items[sel], self.n_users, self.n_items,
                            pick(self.ratings), pick(self.timestamps), self.user_ids, self.item_ids)

    def to_csr(self, values: str = "ones", dtype=np.float32) -> sp.csr_matrix:
        """Sparse ``n_users x n_items`` matrix.

        ``values="ones"`` marks each observed pair with 1 (duplicates collapse
        to 1); ``values="ratings"`` stores the rating (duplicates: the last one).
        """
        if values == "ratings":
            if self.ratings is None:
                raise ValueError("values='ratings' needs explicit ratings; these interactions have none")
            data = self.ratings
        elif values == "ones":
            data = np.ones(len(self), dtype=dtype)
        else:
            raise ValueError(f"values must be 'ones' or 'ratings', got {values!r}")
        # keep the last occurrence of duplicated pairs, so the matrix is well defined
        key = self.users * self.n_items + self.items
        _, last = np.unique(key[::-1], return_index=True)
        keep = len(key) - 1 - last
        m = sp.csr_matrix((data[keep].astype(dtype), (self.users[keep], self.items[keep])),
                          shape=(self.n_users, self.n_items))
        m.sort_indices()
        return m

    def user_counts(self) -> np.ndarray:
        """Interactions per user index (length ``n_users``)."""
        return np.bincount(self.users, minlength=self.n_users)

    def item_counts(self) -> np.ndarray:
        """Interactions per item index (length ``n_items``)."""
        return np.bincount(self.items, minlength=self.n_items)

    def to_frame(self, raw_ids: bool = False) -> pd.DataFrame:
        """A tidy DataFrame with columns user, item (and rating, timestamp)."""
        df = pd.DataFrame({
            "user": self.user_ids[self.users] if raw_ids else self.users,
            "item": self.item_ids[self.items] if raw_ids else self.items,
        })
        if self.ratings is not None:
            df["rating"] = self.ratings
        if self.timestamps is not None:
            df["timestamp"] = self.timestamps
        return df


@dataclass(frozen=True, eq=False)
class Dataset:
    """Interactions plus side tables.

    ``items`` and ``users`` are DataFrames indexed by *index* (0..n-1), in the
    same order as ``interactions.item_ids`` / ``user_ids``. For MovieLens the
    item table has ``title, year, genres`` (a list) and ``text``; the user table
    has ``age, sex, occupation``.
    """

    name: str
    interactions: Interactions
    items: pd.DataFrame
    users: pd.DataFrame | None = None

    def __post_init__(self):
        if len(self.items) != self.interactions.n_items:
            raise ValueError(f"item table has {len(self.items)} rows for {self.interactions.n_items} items")
        if self.users is not None and len(self.users) != self.interactions.n_users:
            raise ValueError(f"user table has {len(self.users)} rows for {self.interactions.n_users} users")

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, {self.interactions!r})"
