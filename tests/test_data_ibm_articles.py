"""IBM community articles loader (chapter 11): cleaning rules, counts, checksums, refetch of a damaged file."""

import hashlib

import numpy as np
import pytest

from hybridrec_ref.data import article_text, load_ibm_articles
from hybridrec_ref.data.fetch import DataUnavailableError, fetch, load_manifest
from hybridrec_ref.data.ibm_articles import broken_title, read_ibm_articles, read_ibm_interactions

from conftest import cached_copy

CLICKS = (",article_id,title,email\n"
          "0,10.0,first article,aaa\n"
          "1,20.0,\"7    second art...\nName: title, dtype: object\",bbb\n"
          "2,10.0,first article,aaa\n"
          "3,20.0,\"7    second art...\nName: title, dtype: object\",\n"
          "4,20.0,\"7    second art...\nName: title, dtype: object\",aaa\n")
ARTICLES = (",doc_body,doc_description,doc_full_name,doc_status,article_id\n"
            "0,\"Body   one\nline two\",Desc one,First Article,Live,10\n"
            "1,other body,other,Duplicate,Live,10\n"
            "2,,,Orphan,Live,30\n")


@pytest.fixture(scope="module")
def ibm():
    return load_ibm_articles()


def test_cleaning_rules_on_a_small_file(tmp_path):
    (tmp_path / "c.csv").write_text(CLICKS)
    (tmp_path / "a.csv").write_text(ARTICLES)
    clicks = read_ibm_interactions(tmp_path / "c.csv")
    assert len(clicks) == 4                                   # the row without an e-mail is dropped
    assert clicks["item"].dtype.kind == "i" and set(clicks["item"]) == {10, 20}   # 10.0 -> 10
    assert clicks["row"].tolist() == [0, 1, 2, 4]             # original row numbers kept as the order
    arts = read_ibm_articles(tmp_path / "a.csv")
    assert arts["item"].tolist() == [10, 30]                  # duplicated article id: first row kept
    assert arts.loc[0, "body"] == "Body one line two"         # whitespace collapsed
    assert broken_title(clicks.loc[1, "title"]) == "second art"
    assert broken_title("a normal title") is None


def test_article_text_parts_and_truncation():
    assert article_text("T", "D.", "one two three", body_words=2) == "T. D. one two ..."
    assert article_text("T", "", "") == "T"
    assert article_text("T", "D", "body", body_words=0) == "T. D"
    with pytest.raises(ValueError, match="body_words"):
        article_text("T", body_words=-1)


def test_counts_match_the_source(ibm):
    d = ibm.interactions
    assert (d.n_users, d.n_items) == (5148, 714)
    assert d.ratings.sum() == 45993 - 17                      # every read of a known user, repeats as weights
    assert len(d) == len(np.unique(d.users * d.n_items + d.items))   # one interaction per (user, article)
    assert int(ibm.items.has_body.sum()) == 437
    assert not ibm.items.title.str.contains("dtype: object").any()   # printed Series repaired
    assert (ibm.items.text.str.len() > 0).all()
    raw = load_ibm_articles(deduplicate=False).interactions
    assert len(raw) == 45993 - 17 and (raw.ratings == 1).all()


def test_damaged_file_is_reported_and_fetched_again(tmp_path, capsys):
    manifest, source, target = cached_copy(tmp_path, "ibm-articles")
    damaged = target / "user-item-interactions.csv"
    data = bytearray(damaged.read_bytes())
    data[100] ^= 1                                            # same size, one bit flipped
    damaged.write_bytes(bytes(data))
    fetch("ibm-articles", cache_dir=tmp_path, manifest=manifest)
    err = capsys.readouterr().err
    assert "user-item-interactions.csv" in err and "SHA256" in err
    expected = source["files"]["user-item-interactions.csv"]["sha256"]
    assert hashlib.sha256(damaged.read_bytes()).hexdigest() == expected


def test_wrong_checksum_in_manifest_is_rejected(tmp_path):
    manifest = load_manifest()
    manifest["ibm-articles"]["sources"][0]["files"]["articles_community.csv"]["sha256"] = "0" * 64
    with pytest.raises(DataUnavailableError, match="articles_community.csv"):
        fetch("ibm-articles", cache_dir=tmp_path, manifest=manifest)
    assert not (tmp_path / "ibm-articles" / "articles_community.csv").exists()
