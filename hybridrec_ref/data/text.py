"""Item text: the string a language model reads for an item (chapters 1, 2, 4).

``item_text("Toy Story", 1995, ["Animation", "Children's", "Comedy"])`` gives
``"Toy Story (1995): Animation, Children's, Comedy"``. Missing parts are left
out rather than written as "nan".
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd


def item_text(title: str, year=None, genres: Iterable[str] | None = None) -> str:
    """One line of text per item: ``"Title (Year): Genre, Genre"``."""
    title = (title or "").strip() or "Untitled"
    has_year = year is not None and not pd.isna(year)
    head = f"{title} ({int(year)})" if has_year else title
    genres = [g for g in (genres or []) if g and g != "unknown"]
    return f"{head}: {', '.join(genres)}" if genres else head
