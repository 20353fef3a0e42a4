"""TF-IDF encoder (hybridrec_ref.content.tfidf): cross-checked against scikit-learn."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from hybridrec_ref.base import NotFittedError
from hybridrec_ref.content import TfidfEncoder, tfidf_terms

DOCS = ["Toy Story (1995): Animation, Children's, Comedy", "GoldenEye (1995): Action, Adventure, Thriller",
        "Four Rooms (1995): Thriller", "Get Shorty (1995): Action, Comedy, Drama", "Copycat (1995): Crime, Drama",
        "Comedy comedy comedy: a triple comedy"]


@pytest.mark.parametrize("sublinear", [False, True])
@pytest.mark.parametrize("min_df", [1, 2])
def test_matches_sklearn(sublinear, min_df):
    ours = TfidfEncoder(min_df=min_df, sublinear_tf=sublinear)
    x = ours.fit_transform(DOCS).toarray()
    ref = TfidfVectorizer(min_df=min_df, sublinear_tf=sublinear)
    y = ref.fit_transform(DOCS).toarray()
    assert ours.terms_ == list(ref.get_feature_names_out())
    np.testing.assert_allclose(x, y, atol=1e-6)


def test_rows_unit_norm_and_unknown_words_give_zero_row():
    enc = TfidfEncoder().fit(DOCS)
    x = enc.transform(DOCS + ["zzz qqq"]).toarray()
    np.testing.assert_allclose(np.linalg.norm(x[:-1], axis=1), 1.0, atol=1e-6)
    assert not x[-1].any()


def test_max_features_and_stop_words():
    enc = TfidfEncoder(max_features=3, stop_words={"1995"}).fit(DOCS)
    assert len(enc.vocabulary_) == 3 and "1995" not in enc.vocabulary_
    assert "comedy" in enc.vocabulary_  # the most frequent term by document frequency


def test_tfidf_terms():
    assert tfidf_terms("Children's Comedy, a 1995 film") == ["children", "comedy", "1995", "film"]


def test_bad_input():
    with pytest.raises(ValueError, match="min_df"):
        TfidfEncoder(min_df=0)
    with pytest.raises(ValueError, match="max_features"):
        TfidfEncoder(max_features=0)
    with pytest.raises(TypeError, match="single string"):
        TfidfEncoder().fit("one text")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        TfidfEncoder().fit(["ok", None])
    with pytest.raises(ValueError, match="empty list"):
        TfidfEncoder().fit([])
    with pytest.raises(ValueError, match="vocabulary is empty"):
        TfidfEncoder(min_df=5).fit(["a b", "c d"])
    with pytest.raises(NotFittedError):
        TfidfEncoder().transform(["x"])
