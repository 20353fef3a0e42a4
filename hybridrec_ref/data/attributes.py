"""User attributes as model inputs: one-hot sex and occupation, age buckets (chapter 8).

MovieLens-100k describes every user by age, sex, occupation and zip code. A
model cannot use strings, so :func:`user_attribute_matrix` turns the table into
a float matrix, one row per user index, with a label per column::

    sex=F, sex=M, occupation=administrator, ..., age<18, age 18-24, ..., age>=56

Ages are bucketed (the MovieLens-1M buckets by default) rather than scaled:
taste does not change linearly with age, and one-hot buckets let a linear map
learn any shape. :func:`user_groups` gives each user the integer code of a
combination of attributes (age bucket x sex by default), the unit of
:class:`~hybridrec_ref.fusion.demographic.DemographicPopularity`.

Zip codes are left out: 795 distinct values over 943 users carry almost no
shared signal at this size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: lower edges of the age buckets (MovieLens-1M's: under 18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+)
AGE_EDGES = (18, 25, 35, 45, 50, 56)
ATTRIBUTES = ("age", "sex", "occupation")


def _check_users(users, needed) -> pd.DataFrame:
    if not isinstance(users, pd.DataFrame):
        raise TypeError(f"users must be a pandas DataFrame (Dataset.users), got {type(users).__name__}")
    missing = [c for c in needed if c not in users.columns]
    if missing:
        raise ValueError(f"users lacks columns {missing}; pass Dataset.users (columns age, sex, occupation)")
    if len(users) == 0:
        raise ValueError("users is empty")
    bad = [c for c in needed if users[c].isna().any()]
    if bad:
        raise ValueError(f"users has missing values in {bad}; fill them (e.g. with 'unknown') first")
    return users


def age_buckets(ages, edges=AGE_EDGES) -> tuple[np.ndarray, list[str]]:
    """Bucket index of each age (``0`` below ``edges[0]``) and the buckets' labels."""
    edges = tuple(int(e) for e in edges)
    if not edges or list(edges) != sorted(set(edges)):
        raise ValueError(f"age edges must be strictly increasing, got {edges}")
    ages = np.asarray(ages, dtype=float)
    if (ages < 0).any():
        raise ValueError("ages must be non-negative")
    labels = [f"age<{edges[0]}"] + [f"age {lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:])] + [f"age>={edges[-1]}"]
    return np.searchsorted(edges, ages, side="right"), labels


def user_attribute_matrix(users: pd.DataFrame, age_edges=AGE_EDGES,
                          attributes=ATTRIBUTES) -> tuple[np.ndarray, list[str]]:
    """``(n_users, d)`` float32 one-hot matrix of ``attributes`` and its column labels.

    ``users`` is a user table in index order (``Dataset.users``); rows of the
    result follow it. Categories are sorted, so the columns do not depend on
    row order. Each user has exactly one 1 per attribute.
    """
    if not attributes or set(attributes) - set(ATTRIBUTES):
        raise ValueError(f"attributes must be a non-empty subset of {ATTRIBUTES}, got {attributes!r}")
    users = _check_users(users, attributes)
    blocks, labels = [], []
    for name in attributes:
        if name == "age":
            codes, cats = age_buckets(users["age"].to_numpy(), age_edges)
        else:
            cats_raw, codes = np.unique(users[name].astype(str).to_numpy(), return_inverse=True)
            cats = [f"{name}={c}" for c in cats_raw]
        block = np.zeros((len(users), len(cats)), dtype=np.float32)
        block[np.arange(len(users)), codes] = 1.0
        blocks.append(block)
        labels += list(cats)
    return np.hstack(blocks), labels


def user_groups(users: pd.DataFrame, by=("age", "sex"), age_edges=AGE_EDGES) -> tuple[np.ndarray, list[str]]:
    """Integer group code per user for the combination of attributes ``by``, and each group's label.

    ``user_groups(ds.users)`` groups by age bucket x sex (14 groups on MovieLens).
    """
    if not by or set(by) - set(ATTRIBUTES):
        raise ValueError(f"by must be a non-empty subset of {ATTRIBUTES}, got {by!r}")
    users = _check_users(users, by)
    parts = []
    for name in by:
        if name == "age":
            codes, cats = age_buckets(users["age"].to_numpy(), age_edges)
            parts.append(np.asarray(cats, dtype=object)[codes])
        else:
            parts.append(np.array([f"{name}={v}" for v in users[name].astype(str)], dtype=object))
    keys = np.array([", ".join(t) for t in zip(*parts)], dtype=object)
    labels, codes = np.unique(keys, return_inverse=True)
    return codes.astype(np.int64), [str(x) for x in labels]
