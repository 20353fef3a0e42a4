"""Tokenizer, vocabulary and the two corpora (hybridrec_ref.lm.vocab)."""

import numpy as np
import pandas as pd
import pytest

from hybridrec_ref.data import Dataset, Interactions
from hybridrec_ref.lm.vocab import (BOS_ID, EOS_ID, N_SPECIAL, PAD_ID, SPECIALS, UNK_ID, Vocabulary,
                                    item_sentences, item_text_corpus, split_indices, tokenize)


def test_tokenize_words_and_punctuation():
    assert tokenize("Children's Story (1995): Comedy, Drama") == [
        "children's", "story", "(", "1995", ")", ":", "comedy", ",", "drama"]
    with pytest.raises(TypeError, match="string"):
        tokenize(None)


def test_vocabulary_specials_min_count_and_unknown_words():
    v = Vocabulary.build([["a", "b", "a"], ["a", "c"]], min_count=2)
    assert v.itos[:N_SPECIAL] == list(SPECIALS) and (PAD_ID, UNK_ID, BOS_ID, EOS_ID) == (0, 1, 2, 3)
    assert v.itos[N_SPECIAL:] == ["a"]  # b and c are rare -> <unk>
    ids = v.encode(["a", "b", "zzz"])
    assert ids.tolist() == [BOS_ID, 4, UNK_ID, UNK_ID, EOS_ID]
    assert v.decode(ids) == ["a"] and v.decode(ids, skip_special=False)[0] == "<bos>"


def test_vocabulary_bad_input():
    with pytest.raises(ValueError, match="empty corpus"):
        Vocabulary.build([[]])
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary.build([["a"]], min_count=0)
    with pytest.raises(TypeError, match="tokenize"):
        Vocabulary.build([["a"]]).encode("a b")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        Vocabulary.build([["a"]]).decode([99])
    with pytest.raises(ValueError, match="special tokens"):
        Vocabulary(["a", "b"])


def test_split_indices_partition():
    parts = split_indices(10, (0.8, 0.1, 0.1), seed=0)
    assert [len(p) for p in parts] == [8, 1, 1]
    assert sorted(np.concatenate(parts).tolist()) == list(range(10))
    with pytest.raises(ValueError, match="sum to 1"):
        split_indices(10, (0.5, 0.4))


def _tiny_dataset():
    inter = Interactions(users=[0, 0, 0, 1, 1], items=[2, 0, 1, 1, 2], n_users=3, n_items=3,
                         timestamps=[30, 10, 20, 5, 5])
    items = pd.DataFrame({"raw_id": [1, 2, 3], "title": ["A", "B", "C"], "year": [1990] * 3,
                          "genres": [["Drama"]] * 3, "text": ["Alpha (1990): Drama", "Beta (1990): Drama",
                                                              "Gamma (1990): Drama"]})
    return Dataset("tiny", inter, items, pd.DataFrame({"raw_id": [1, 2, 3]}))


def test_item_sentences_ordered_by_time_with_offset():
    sents = item_sentences(_tiny_dataset().interactions)
    assert [s.tolist() for s in sents] == [[BOS_ID, 0 + N_SPECIAL, 1 + N_SPECIAL, 2 + N_SPECIAL],
                                           [BOS_ID, 1 + N_SPECIAL, 2 + N_SPECIAL],  # tie keeps data order
                                           [BOS_ID]]  # a user without interactions
    assert item_sentences(_tiny_dataset().interactions, eos=True)[2].tolist() == [BOS_ID, EOS_ID]
    with pytest.raises(ValueError, match="timestamps"):
        item_sentences(Interactions([0], [0], 1, 1))


def test_item_text_corpus_vocab_from_train_only():
    vocab, corpus, parts = item_text_corpus(_tiny_dataset(), fracs=(1 / 3, 1 / 3, 1 / 3), min_count=1, seed=0)
    train_words = {w for s in corpus["train"] for w in vocab.decode(s)}
    assert "drama" in train_words and len(corpus["test"]) == 1
    # the test item's title word is not in the training vocabulary -> <unk>
    assert UNK_ID in corpus["test"][0]
    assert all(s[0] == BOS_ID and s[-1] == EOS_ID for part in corpus.values() for s in part)
    with pytest.raises(TypeError, match="Dataset"):
        item_text_corpus("not a dataset")
