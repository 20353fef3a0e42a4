"""TMDB 5000 joined to MovieLens-100k (hybridrec_ref.data.tmdb): keys, the join, coverage, the text."""

import hashlib

import pandas as pd
import pytest

from hybridrec_ref.data import load_movielens_100k
from hybridrec_ref.data.fetch import fetch
from hybridrec_ref.data.tmdb import load_tmdb, match_movielens, normalise_title, title_keys, tmdb_text

from conftest import cached_copy

# (MovieLens id, TMDB id) pairs checked by hand against both titles, years and directors
HAND_CHECKED = {1: 862, 26: 16388, 38: 1642, 172: 1891, 178: 389, 474: 935, 646: 335, 985: 31640,
                1419: 8011, 1484: 18713, 168: 762, 246: 2255}
# movies TMDB 5000 does not hold; a loose join would pair them with a namesake
NOT_IN_TMDB = {100: "Fargo", 7: "Twelve Monkeys", 273: "Heat"}


@pytest.fixture(scope="module")
def tmdb():
    return load_tmdb()


@pytest.fixture(scope="module")
def rich():
    return load_movielens_100k(text="tmdb")


def test_normalise_title_moves_articles_and_drops_punctuation():
    assert normalise_title("Shawshank Redemption, The") == normalise_title("The Shawshank Redemption")
    assert normalise_title("Blood & Wine") == normalise_title("Blood and Wine") == "blood and wine"
    assert normalise_title("Cité des enfants perdus, La") == "la cite des enfants perdus"
    assert title_keys("Seven (Se7en)") == ["seven", "se7en"]
    assert title_keys("Shall We Dance? (Shall We Dansu?)")[0] == "shall we dance"


def test_join_matches_hand_checked_sample_and_nothing_wrong(rich):
    items = rich.items.set_index("raw_id")
    for ml, tm in HAND_CHECKED.items():
        assert items.loc[ml, "tmdb_id"] == tm, (ml, items.loc[ml, "title"])
    for ml, title in NOT_IN_TMDB.items():
        assert items.loc[ml, "title"] == title and pd.isna(items.loc[ml, "tmdb_id"])


def test_year_gap_is_respected(tmdb):
    items = pd.DataFrame({"title": ["Toy Story", "Toy Story", "Toy Story", "Heat"], "year": [1995, 1996, 1997, 1995]})
    rows = match_movielens(items, tmdb, max_year_gap=1).to_numpy()
    assert tmdb["tmdb_id"].iloc[rows[0]] == tmdb["tmdb_id"].iloc[rows[1]] == 862
    assert rows[2] == -1 and rows[3] == -1
    assert match_movielens(items, tmdb, max_year_gap=0).to_numpy()[1] == -1
    with pytest.raises(ValueError, match="max_year_gap"):
        match_movielens(items, tmdb, max_year_gap=-1)


def test_coverage_and_text_length(rich):
    """Reported in chapter 4: 485 of 1,682 movies, 59.7% of ratings, ~99 words of text instead of ~5.6."""
    hit = rich.items["tmdb_id"].notna().to_numpy()
    counts = rich.interactions.item_counts()
    assert hit.sum() == 485
    assert counts[hit].sum() / counts.sum() == pytest.approx(0.5967, abs=1e-4)
    words = rich.items["text"].str.split().str.len()
    assert words[hit].mean() == pytest.approx(98.7, abs=0.5)
    labels = load_movielens_100k()
    assert (rich.items.loc[~hit, "text"] == labels.items.loc[~hit, "text"]).all()   # unmatched: unchanged
    assert rich.items.text[0].startswith("Toy Story (1995). Led by Woody")
    assert "Directed by John Lasseter. Starring Tom Hanks" in rich.items.text[0]
    assert "tmdb_id" not in labels.items                                               # default unchanged


def test_tmdb_text_skips_missing_parts():
    assert tmdb_text("X", 2000, "", "Plot", [], ["Drama"], "", []) == "X (2000). Plot. Genres: Drama."
    assert tmdb_text("X", pd.NA, "Tag!", "", ["k"], [], "D", ["A"]) == "X. Tag! Keywords: k. Directed by D. Starring A."


def test_unknown_text_option_is_refused():
    with pytest.raises(ValueError, match="text"):
        load_movielens_100k(text="wiki")


def test_corrupted_tmdb_file_is_refetched(tmp_path, capsys):
    manifest, source, folder = cached_copy(tmp_path, "tmdb-5000")
    target = folder / "movies.csv"
    data = bytearray(target.read_bytes())
    data[100] ^= 1                                       # same size, one bit flipped
    target.write_bytes(bytes(data))
    fetch("tmdb-5000", cache_dir=tmp_path, manifest=manifest)
    err = capsys.readouterr().err
    assert "movies.csv" in err and "SHA256" in err
    assert hashlib.sha256(target.read_bytes()).hexdigest() == source["files"]["movies.csv"]["sha256"]
