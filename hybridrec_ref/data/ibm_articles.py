"""IBM Watson Studio community articles: clicks and article text (chapter 11, :ref:`ch-social`).

Reads the two CSV files shipped in the ``recommender-ibmws==0.1.3`` wheel
(verified by SHA-256, see :mod:`hybridrec_ref.data.fetch`); nothing of the
package is installed, imported or unpickled.

Cleaning rules (each tested in ``tests/test_data_ibm_articles.py``):

- the user id is the e-mail hash; the 17 rows without one are dropped (no user);
- ``article_id`` is read as a float in the file (``1430.0``) and stored as an int;
- a repeated (user, article) read collapses into one interaction whose
  ``rating`` is the number of reads (``deduplicate=True``, the default);
  the file has no dates, so ``timestamps`` hold the row number of the first
  read: an order, not a time;
- the article table has 5 duplicated ``article_id`` rows: the first is kept;
- some titles in the interaction file are the printed form of a pandas Series
  (``"1357    what i learned ...\nName: title, dtype: object"``, cut with "...");
  they are replaced by the article table's full name where it has one, else by
  the text between the row number and the cut;
- only articles that someone clicked become items (714); 437 of them have a
  body and a description in the article table, the rest only the title the
  interaction file gives.

Item text (what the chapter's MiniLM encoder reads): ``"Title. Description. Body"``
with the body cut to ``body_words`` words (MiniLM reads 128 tokens at most anyway).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..validation import check_int
from .fetch import fetch
from .interactions import Dataset, Interactions

_SPACE = re.compile(r"\s+")
_SERIES_REPR = re.compile(r"^\d+\s+(.*?)(?:\.\.\.)?\s*\nName: title, dtype: object$", re.S)


def _clean(text) -> str:
    return "" if pd.isna(text) else _SPACE.sub(" ", str(text)).strip()


def _truncate(text: str, n_words: int) -> str:
    words = text.split(" ")
    return text if len(words) <= n_words else " ".join(words[:n_words]) + " ..."


def article_text(title: str, description: str = "", body: str = "", body_words: int = 100) -> str:
    """``"Title. Description. Body"`` with empty parts left out and the body cut to ``body_words`` words."""
    body_words = check_int("body_words", body_words, minimum=0)
    head = [_clean(title).rstrip("."), _clean(description).rstrip(".")]
    body = _truncate(_clean(body), body_words) if body_words else ""
    return ". ".join(p for p in head + [body] if p)


def broken_title(title: str) -> str | None:
    """The text inside a title that is a printed pandas Series, or ``None`` for a normal title."""
    m = _SERIES_REPR.match(title)
    return m.group(1).strip() if m else None


def read_ibm_interactions(path: str | Path) -> pd.DataFrame:
    """The interaction file, cleaned: columns ``user, item, title, row`` (one row per click)."""
    raw = pd.read_csv(path, usecols=["article_id", "title", "email"])
    raw["row"] = np.arange(len(raw))
    raw = raw.dropna(subset=["email"])
    return pd.DataFrame({"user": raw["email"].astype(str).to_numpy(), "item": raw["article_id"].astype(int).to_numpy(),
                         "title": raw["title"].astype(str).to_numpy(), "row": raw["row"].to_numpy()})


def read_ibm_articles(path: str | Path) -> pd.DataFrame:
    """The article table, first row per ``article_id``: columns ``item, full_name, description, body``."""
    raw = pd.read_csv(path, usecols=["doc_body", "doc_description", "doc_full_name", "article_id"])
    raw = raw.drop_duplicates("article_id", keep="first")
    return pd.DataFrame({"item": raw["article_id"].astype(int).to_numpy(),
                         "full_name": raw["doc_full_name"].map(_clean).to_numpy(),
                         "description": raw["doc_description"].map(_clean).to_numpy(),
                         "body": raw["doc_body"].map(_clean).to_numpy()})


def load_ibm_articles(cache_dir: str | Path | None = None, deduplicate: bool = True, body_words: int = 100,
                      verbose: bool = False) -> Dataset:
    """Load the IBM community articles as a :class:`Dataset` (fetching and verifying them if needed).

    Item table columns: ``raw_id, title, description, body, has_body, n_body_words, text``.
    Interactions: ``ratings`` = reads of the article by the user (1 without ``deduplicate``),
    ``timestamps`` = row of the first read in the file (an order; the data carry no dates).
    """
    cache, _ = fetch("ibm-articles", cache_dir=cache_dir, verbose=verbose)
    clicks = read_ibm_interactions(cache / "user-item-interactions.csv")
    articles = read_ibm_articles(cache / "articles_community.csv")
    titles = clicks.groupby("item")["title"].first()
    if deduplicate:
        clicks = clicks.groupby(["user", "item"], sort=False).agg(reads=("row", "size"), row=("row", "min"))
        clicks = clicks.reset_index().sort_values("row", kind="stable")
    else:
        clicks["reads"] = 1
    interactions = Interactions.from_raw(clicks["user"].to_numpy(), clicks["item"].to_numpy(),
                                         ratings=clicks["reads"].to_numpy(np.float32),
                                         timestamps=clicks["row"].to_numpy(np.int64))
    items = pd.DataFrame({"raw_id": interactions.item_ids, "title": titles.loc[interactions.item_ids].to_numpy()})
    items = items.merge(articles.rename(columns={"item": "raw_id"}), on="raw_id", how="left")
    for col in ("full_name", "description", "body"):
        items[col] = items[col].fillna("")
    inner = items["title"].map(broken_title)
    broken = inner.notna()
    items.loc[broken, "title"] = np.where(items.loc[broken, "full_name"] != "", items.loc[broken, "full_name"].str.lower(),
                                          inner[broken])
    items["has_body"] = items["body"].str.len() > 0
    items["n_body_words"] = items["body"].map(lambda b: len(b.split()) if b else 0)
    items["text"] = [article_text(t, d, b, body_words) for t, d, b in zip(items.title, items.description, items.body)]
    users = pd.DataFrame({"raw_id": interactions.user_ids})
    return Dataset("ibm-articles", interactions, items.drop(columns="full_name"), users)
