"""User attributes: one-hot matrix, age buckets, demographic groups, and clear errors on bad tables."""

import numpy as np
import pandas as pd
import pytest

from hybridrec_ref.data import user_attribute_matrix, user_groups
from hybridrec_ref.data.attributes import age_buckets


def users():
    return pd.DataFrame({"age": [10, 18, 24, 25, 60, 33], "sex": ["F", "M", "M", "F", "M", "F"],
                         "occupation": ["student", "student", "writer", "none", "retired", "writer"]})


def test_matrix_is_one_hot_per_attribute_with_labels():
    x, labels = user_attribute_matrix(users())
    assert x.dtype == np.float32 and x.shape == (6, len(labels))
    assert labels[:2] == ["age<18", "age 18-24"] and "sex=F" in labels and "occupation=writer" in labels
    assert np.all(x.sum(1) == 3)   # exactly one 1 per attribute
    ages = x[:, [labels.index(l) for l in labels if l.startswith("age")]]
    assert ages.argmax(1).tolist() == [0, 1, 1, 2, 6, 2]
    assert x[0, labels.index("sex=F")] == 1 and x[1, labels.index("sex=F")] == 0


def test_columns_do_not_depend_on_row_order():
    df = users()
    x, labels = user_attribute_matrix(df)
    y, labels2 = user_attribute_matrix(df.iloc[::-1].reset_index(drop=True))
    assert labels == labels2 and np.array_equal(x[::-1], y)


def test_age_bucket_edges():
    codes, labels = age_buckets([17, 18, 24, 25, 55, 56], edges=(18, 25, 56))
    assert codes.tolist() == [0, 1, 1, 2, 2, 3]
    assert labels == ["age<18", "age 18-24", "age 25-55", "age>=56"]


def test_groups_combine_age_bucket_and_sex():
    codes, labels = user_groups(users())
    assert len(labels) == len(set(labels)) == 4   # (18-24, M) holds users 1 and 2, (25-34, F) users 3 and 5
    assert codes[1] == codes[2] and codes[3] == codes[5] and len(np.unique(codes)) == 4
    assert labels[codes[0]] == "age<18, sex=F"
    one, _ = user_groups(users(), by=("sex",))
    assert np.array_equal(one, (users().sex == "M").astype(int).to_numpy())


@pytest.mark.parametrize("df, exc, message", [
    (users().drop(columns="occupation"), ValueError, "lacks columns"),
    (users().assign(sex=[None, "M", "M", "F", "M", "F"]), ValueError, "missing values"),
    (users().assign(age=[-1, 18, 24, 25, 60, 33]), ValueError, "non-negative"),
    (users().iloc[:0], ValueError, "empty"),
    (users().to_numpy(), TypeError, "DataFrame"),
])
def test_bad_tables_are_named(df, exc, message):
    with pytest.raises(exc, match=message):
        user_attribute_matrix(df)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="attributes"):
        user_attribute_matrix(users(), attributes=("zip",))
    with pytest.raises(ValueError, match="by must"):
        user_groups(users(), by=())
    with pytest.raises(ValueError, match="increasing"):
        age_buckets([20], edges=(30, 20))
