"""Tokens and vocabularies for the two corpora of chapter 2.

A language model reads sequences of integer *token ids*. Chapter 2 builds two
corpora that share one interface (:class:`Vocabulary`, lists of id arrays that
start with ``<bos>``):

- **item text** (:func:`item_text_corpus`): each item's line of text,
  ``"Toy Story (1995): Animation, Children's, Comedy"``, cut into lower-case
  words and punctuation by :func:`tokenize`; rare words become ``<unk>``;
- **item-id sentences** (:func:`item_sentences`): each user's history ordered
  by time is a "sentence" whose words are items; token id = item index +
  :data:`N_SPECIAL`, so the vocabulary is the catalogue plus the four special
  tokens (:meth:`Vocabulary.for_items`). This is the bridge from language
  modelling to next-item recommendation (chapter 2, "Language models as next-item recommenders"; chapter 8).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from ..data.interactions import Dataset, Interactions

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIALS = (PAD, UNK, BOS, EOS)
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
#: number of special tokens; item ``i`` is token ``i + N_SPECIAL`` in item-id sentences
N_SPECIAL = len(SPECIALS)

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[^\sa-z0-9]")


def tokenize(text: str) -> list[str]:
    """The LM tokenizer: lower-case words (apostrophes kept inside words) and single punctuation marks.

    (TF-IDF keeps words only: :func:`hybridrec_ref.content.tfidf.tfidf_terms`.)

    >>> tokenize("Children's Story (1995): Comedy")
    ["children's", 'story', '(', '1995', ')', ':', 'comedy']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a string, got {type(text).__name__}")
    return _TOKEN.findall(text.lower())


class Vocabulary:
    """Bijection token <-> id with ``<pad>=0, <unk>=1, <bos>=2, <eos>=3`` first.

    Build it from training text with :meth:`build` (words seen fewer than
    ``min_count`` times map to ``<unk>``, so the model learns what to do with
    words it has never seen), or for item ids with :meth:`for_items`.
    """

    def __init__(self, tokens: Sequence[str]):
        tokens = list(tokens)
        if tuple(tokens[:N_SPECIAL]) != SPECIALS:
            raise ValueError(f"a vocabulary must start with the special tokens {SPECIALS}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("vocabulary tokens must be unique")
        self.itos = tokens
        self.stoi = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]], min_count: int = 1,
              max_size: int | None = None) -> "Vocabulary":
        """Vocabulary of the tokens in ``sentences`` seen at least ``min_count`` times (most frequent first)."""
        if min_count < 1:
            raise ValueError(f"min_count must be at least 1, got {min_count}")
        counts = Counter(t for s in sentences for t in s if t not in SPECIALS)
        if not counts:
            raise ValueError("cannot build a vocabulary from an empty corpus")
        words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
        if max_size is not None:
            words = words[:max(0, max_size - N_SPECIAL)]
        return cls(list(SPECIALS) + words)

    @classmethod
    def for_items(cls, n_items: int) -> "Vocabulary":
        """Vocabulary of item-id sentences: specials, then ``"item_0" ... "item_{n-1}"``."""
        if n_items < 1:
            raise ValueError(f"n_items must be positive, got {n_items}")
        return cls(list(SPECIALS) + [f"item_{i}" for i in range(n_items)])

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens)"

    def encode(self, tokens: Sequence[str], bos: bool = True, eos: bool = True) -> np.ndarray:
        """Token ids of ``tokens`` (unknown ones -> ``<unk>``), framed by ``<bos>``/``<eos>``."""
        if isinstance(tokens, str):
            raise TypeError("encode expects a list of tokens; call tokenize(text) first")
        ids = [self.stoi.get(t, UNK_ID) for t in tokens]
        return np.array(([BOS_ID] if bos else []) + ids + ([EOS_ID] if eos else []), dtype=np.int64)

    def decode(self, ids: Iterable[int], skip_special: bool = True) -> list[str]:
        """Tokens of ``ids``; special tokens dropped unless ``skip_special=False``."""
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self):
                raise ValueError(f"token id {i} is outside the vocabulary [0, {len(self)})")
            if skip_special and i < N_SPECIAL:
                continue
            out.append(self.itos[i])
        return out


def split_indices(n: int, fracs: Sequence[float] = (0.8, 0.1, 0.1), seed: int = 42) -> list[np.ndarray]:
    """Shuffle ``range(n)`` (seeded) and cut it into parts of the given fractions."""
    fracs = np.asarray(fracs, dtype=float)
    if (fracs <= 0).any() or not np.isclose(fracs.sum(), 1.0):
        raise ValueError(f"fracs must be positive and sum to 1, got {fracs.tolist()}")
    perm = np.random.default_rng(seed).permutation(n)
    cuts = np.round(np.cumsum(fracs)[:-1] * n).astype(int)
    return np.split(perm, cuts)


def item_text_corpus(dataset: Dataset, fracs=(0.8, 0.1, 0.1), min_count: int = 2, seed: int = 42):
    """Item-text corpus: ``(vocab, {"train","valid","test"} -> list of id arrays, {part -> item indices})``.

    Items are split at random (seeded); the vocabulary is built on the
    training items only, so validation/test words it never saw become ``<unk>``.
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"item_text_corpus expects a Dataset, got {type(dataset).__name__}")
    if "text" not in dataset.items:
        raise ValueError("dataset.items has no 'text' column; build it with hybridrec_ref.data.item_text")
    tokens = [tokenize(t) for t in dataset.items["text"].tolist()]
    parts = dict(zip(("train", "valid", "test"), split_indices(len(tokens), fracs, seed)))
    vocab = Vocabulary.build([tokens[i] for i in parts["train"]], min_count=min_count)
    corpus = {name: [vocab.encode(tokens[i]) for i in idx] for name, idx in parts.items()}
    return vocab, corpus, parts


def item_sentences(interactions: Interactions, eos: bool = False) -> list[np.ndarray]:
    """One sentence per user (index order): ``<bos>`` then the user's items by time, as tokens.

    Token = item index + :data:`N_SPECIAL`. Ties in time keep the data's
    order. Users without interactions get the sentence ``[<bos>]``. With
    ``eos=True`` each sentence ends with ``<eos>``.
    """
    if not isinstance(interactions, Interactions):
        raise TypeError(f"item_sentences expects Interactions, got {type(interactions).__name__}")
    if interactions.timestamps is None:
        raise ValueError("item-id sentences need timestamps to order each user's history; these have none")
    order = np.lexsort((interactions.timestamps, interactions.users))  # by user, then time (stable)
    users, tokens = interactions.users[order], interactions.items[order] + N_SPECIAL
    cuts = np.searchsorted(users, np.arange(1, interactions.n_users))
    tail = [EOS_ID] if eos else []
    return [np.array([BOS_ID, *seq, *tail], dtype=np.int64) for seq in np.split(tokens, cuts)]
