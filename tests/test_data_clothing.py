"""Clothing reviews (hybridrec_ref.data.clothing): cleaning rules, item profiles, checksum and refetch."""

import hashlib

import pandas as pd
import pytest

from hybridrec_ref.data.clothing import FILE, clean_reviews, item_profiles, load_clothing_reviews
from hybridrec_ref.data.fetch import fetch, load_manifest


def test_clean_reviews_rules():
    raw = pd.DataFrame({"Clothing ID": [1, 1, 2], "Age": [30, 40, 50], "Title": ["Nice", None, "x"],
                        "Review Text": ["Soft fabric.", "  Runs small. ", None], "Rating": [5, 2, 4],
                        "Recommended IND": [1, 0, 1], "Positive Feedback Count": [0, 3, 1],
                        "Division Name": ["Initmates", "General", "General"], "Department Name": ["Intimate"] * 3,
                        "Class Name": ["Intimates"] * 3})
    df = clean_reviews(raw)
    assert len(df) == 2                                   # the review without text is dropped
    assert df["text"].tolist() == ["Nice. Soft fabric.", "Runs small."]
    assert df["division"].tolist() == ["Intimates", "General"]
    items = item_profiles(df)
    assert items.loc[0, "n_reviews"] == 2 and items.loc[0, "recommended_share"] == 0.5
    assert items.loc[0, "text"] == "Nice. Soft fabric. Runs small."
    assert item_profiles(df, min_reviews=3).empty
    with pytest.raises(ValueError, match="min_reviews"):
        item_profiles(df, min_reviews=0)


def test_real_file_counts():
    df = load_clothing_reviews()
    assert len(df) == 23486 - 845                         # 845 reviews have no text
    assert df["item"].nunique() == 1179 and set(df["recommended"]) == {0, 1}
    assert df["text"].str.split().str.len().mean() == pytest.approx(63.1, abs=0.5)
    assert "Initmates" not in set(df["division"].dropna())


def test_corrupted_file_is_refetched(tmp_path, capsys):
    manifest = load_manifest()
    cache, source = fetch("clothing-reviews", manifest=manifest)
    (tmp_path / "clothing-reviews").mkdir()
    target = tmp_path / "clothing-reviews" / FILE
    target.write_bytes((cache / FILE).read_bytes()[:5000])        # truncated
    fetch("clothing-reviews", cache_dir=tmp_path, manifest=manifest)
    err = capsys.readouterr().err
    assert FILE in err and "truncated" in err
    assert hashlib.sha256(target.read_bytes()).hexdigest() == source["files"][FILE]["sha256"]
