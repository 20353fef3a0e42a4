"""Item text: the string a language model reads for an item (chapters 1, 2, 4).

``item_text("Toy Story", 1995, ["Animation", "Children's", "Comedy"])`` gives
``"Toy Story (1995): Animation, Children's, Comedy"``. Missing parts are left
out rather than written as "nan". :func:`genre_matrix` turns genre lists into
multi-hot columns (a classifier's targets in chapter 2, item features in chapter 6).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd


def item_text(title: str, year=None, genres: Iterable[str] | None = None) -> str:
    """One line of text per item: ``"Title (Year): Genre, Genre"``."""
    title = (title or "").strip() or "Untitled"
    has_year = year is not None and not pd.isna(year)
    head = f"{title} ({int(year)})" if has_year else title
    genres = [g for g in (genres or []) if g and g != "unknown"]
    return f"{head}: {', '.join(genres)}" if genres else head


def genre_matrix(genres: Sequence[Sequence[str]], labels: Sequence[str] | None = None,
                 drop: Iterable[str] = ()) -> tuple[np.ndarray, list[str]]:
    """Multi-hot ``(n_items, n_labels)`` float32 matrix and its label names.

    ``labels`` defaults to every genre seen, sorted, minus those in ``drop``;
    genres outside ``labels`` are ignored.
    """
    drop = set(drop)
    if labels is None:
        labels = sorted({g for gs in genres for g in gs if g not in drop})
    index = {g: j for j, g in enumerate(labels)}
    y = np.zeros((len(genres), len(labels)), dtype=np.float32)
    for i, gs in enumerate(genres):
        for g in gs:
            if g in index:
                y[i, index[g]] = 1.0
    return y, list(labels)
