"""Book-Crossing (hybridrec_ref.data.bookcrossing): each cleaning rule, the k-core, the real files, refetch."""

import hashlib

import pandas as pd
import pytest

from hybridrec_ref.data.bookcrossing import (book_text, clean_age, clean_isbn, clean_year, k_core,
                                             load_book_crossing, read_raw)
from hybridrec_ref.data.fetch import fetch

from conftest import cached_copy


def test_clean_isbn():
    raw = pd.Series(["0-14-036602-x", " 034545104X", "9780345451040", "342310538", "B0000BLD7X", "680ISBN359623",
                     "0.14.036602.X"])
    out = clean_isbn(raw)
    assert out[:3].tolist() == ["014036602X", "034545104X", "9780345451040"]
    assert out[3:6].isna().all()              # 9 digits; an ASIN; letters inside a number
    assert out[6] == "014036602X"             # dots are separators like dashes


def test_clean_year_and_age():
    assert clean_year(pd.Series(["0", "1799", "1800", "2004", "2005", "2050", "DK Publishing"])).tolist() == \
        [pd.NA, pd.NA, 1800, 2004, pd.NA, pd.NA, pd.NA]
    assert clean_age(pd.Series(["", "0", "4", "5", "34", "100", "244"])).tolist() == \
        [pd.NA, pd.NA, pd.NA, 5, 34, 100, pd.NA]


def test_k_core_reaches_a_fixed_point():
    # item c has two users, but user 3's other item d has one: dropping d drops user 3, then c has one user
    df = pd.DataFrame({"user": [1, 1, 2, 2, 3, 3], "item": ["a", "b", "a", "b", "c", "d"]})
    out = k_core(df, min_user=2, min_item=2)
    assert sorted(map(tuple, out.to_numpy())) == [(1, "a"), (1, "b"), (2, "a"), (2, "b")]
    assert k_core(df, 1, 1).equals(df)
    assert k_core(df, 3, 1).empty
    with pytest.raises(ValueError, match="min_user"):
        k_core(df, 0, 1)


def test_book_text():
    assert book_text("Clara Callan", "Richard Bruce Wright", 2001, "HarperFlamingo Canada") == \
        "Clara Callan by Richard Bruce Wright (2001). HarperFlamingo Canada."
    assert book_text("X", None, pd.NA, "") == "X."


@pytest.fixture(scope="module")
def raw():
    cache, _ = fetch("book-crossing")
    return read_raw(cache)


def test_raw_files_after_cleaning(raw):
    ratings, books, users = raw
    assert len(books) == 271379 - 117 - 315       # 117 ids not ISBN-shaped, 315 duplicates after cleaning
    assert len(users) == 278858
    assert ratings["item"].isin(books["isbn"]).all() and not ratings.duplicated(["user", "item"]).any()
    assert len(ratings) == 1031396
    assert (ratings["rating"] == 0).mean() == pytest.approx(0.6277, abs=1e-3)
    assert books["year"].dropna().between(1800, 2004).all() and users["age"].dropna().between(5, 100).all()
    assert not books["title"].str.contains("&amp;").any()
    assert ratings.index.is_monotonic_increasing  # file order kept: a reader's row order says nothing of ratings


def test_loader_k_core_and_feedback_options():
    ds = load_book_crossing(min_user=20, min_item=20)
    data = ds.interactions
    assert (data.user_counts() >= 20).all() and (data.item_counts() >= 20).all()
    assert (len(data), data.n_users, data.n_items) == (195636, 2560, 4276)
    assert ds.items["text"].str.len().min() > 0 and ds.items["raw_id"].tolist() == data.item_ids.tolist()
    explicit = load_book_crossing("explicit", 5, 5).interactions
    assert explicit.ratings.min() >= 1 and explicit.ratings.max() == 10
    with pytest.raises(ValueError, match="feedback"):
        load_book_crossing("clicks")
    with pytest.raises(ValueError, match="no interactions"):
        load_book_crossing("explicit", 500, 500)


def test_corrupted_file_is_refetched(tmp_path, capsys):
    manifest, source, folder = cached_copy(tmp_path, "book-crossing")
    target = folder / "BX-Users.csv"
    target.write_bytes(target.read_bytes()[:-10])
    fetch("book-crossing", cache_dir=tmp_path, manifest=manifest)
    err = capsys.readouterr().err
    assert "BX-Users.csv" in err and "truncated" in err
    assert hashlib.sha256(target.read_bytes()).hexdigest() == source["files"]["BX-Users.csv"]["sha256"]
