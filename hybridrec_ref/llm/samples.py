"""TALLRec-style Yes/No samples from ratings, and AUC with bootstrap intervals (chapter 10, {ref}`sec-llm-tallrec`).

:func:`yes_no_samples` works on any :class:`~hybridrec_ref.data.Dataset` whose
item table has a ``text`` (or ``title``) column and whose interactions carry
ratings (timestamps when present): MovieLens here, Book-Crossing in chapter 12.

For each user, ratings are put in time order (a seeded random order when the data
has no timestamps: storage order can carry the ratings themselves); a rating ``>= like`` is a "Yes",
``<= dislike`` a "No" (ratings in between are skipped, as in TALLRec). A target
is the user's *latest* Yes/No rating with at least ``n_history`` Yes/No ratings
before it; its prompt shows those ``n_history`` items as liked or disliked.
Each user gives a *warm* target (its item is in the CF training data) and, when
there is one, a *cold* target on one of the ``cold_frac`` randomly chosen cold
items, whose interactions are all removed from ``cf_train``. Users are split
into training users (warm samples for tuning) and held-out users (warm and
cold test pairs). ``cf_train`` holds every rating except the targets and the
cold items' ratings, so MF/ALS and the CoLLM-style model see the same
collaborative data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ..data.interactions import Dataset, Interactions
from ..validation import check_frac, check_int, check_real, check_texts
from .prompts import yes_no_prompt


@dataclass(frozen=True, eq=False)
class YesNoSamples:
    """Warm training pairs, warm and cold test pairs, and the CF training data of one protocol run.

    ``train`` and ``test`` have columns ``user, item, rating, label`` (1 = Yes),
    ``liked, disliked`` (lists of item texts), ``candidate`` (item text) and
    ``cold`` (bool). ``cold_items`` are the item indices left out of ``cf_train``.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    cf_train: Interactions
    cold_items: np.ndarray
    domain: str = "movie"

    def prompts(self, tokenizer, frame: pd.DataFrame, chat: bool = True, soft_tokens: bool = False) -> list[str]:
        """The Yes/No prompt of every row of ``frame`` (a slice of ``train`` or ``test``)."""
        return [yes_no_prompt(tokenizer, r.liked, r.disliked, r.candidate, self.domain, chat, soft_tokens)
                for r in frame.itertuples()]

    def take_train(self, n: int, seed: int = 0) -> pd.DataFrame:
        """A random subset of ``n`` training pairs (the 16 / 64 / 256 samples of TALLRec's few-shot runs)."""
        n = check_int("n", n)
        if n > len(self.train):
            raise ValueError(f"asked for {n} training samples, only {len(self.train)} exist")
        return self.train.iloc[np.sort(np.random.default_rng(seed).choice(len(self.train), n, replace=False))]


def _item_texts(dataset: Dataset) -> np.ndarray:
    for col in ("text", "title"):
        if col in dataset.items.columns:
            texts = dataset.items[col].astype(str).to_numpy()
            if any(not t.strip() for t in texts):
                raise ValueError(f"item column {col!r} has empty entries; fill them first")
            return texts
    raise ValueError("the dataset's item table needs a 'text' or 'title' column")


def yes_no_samples(dataset: Dataset, n_history: int = 5, like: float = 4, dislike: float = 2,
                   cold_frac: float = 0.1, test_frac: float = 0.4, max_test: int | None = None,
                   domain: str = "movie", item_texts=None, seed: int = 42) -> YesNoSamples:
    """Build the TALLRec/CoLLM protocol on ``dataset`` (see the module docstring).

    ``item_texts`` (one string per item) replaces the item table's text, e.g.
    titles alone for shorter, cheaper prompts.

    ``max_test`` caps the warm and the cold test pairs at that many each (a
    random subset, for the compute budget).
    """
    inter = dataset.interactions
    if inter.ratings is None:
        raise ValueError("yes_no_samples needs explicit ratings (Yes/No labels come from them)")
    n_history = check_int("n_history", n_history)
    like, dislike = check_real("like", like), check_real("dislike", dislike)
    if dislike >= like:
        raise ValueError(f"dislike ({dislike}) must be below like ({like})")
    cold_frac, test_frac = check_frac("cold_frac", cold_frac, closed="left"), check_frac("test_frac", test_frac)
    max_test = check_int("max_test", max_test, allow_none=True)
    if item_texts is None:
        texts = _item_texts(dataset)
    else:
        texts = np.asarray(check_texts(item_texts, "item_texts"), dtype=object)
        if len(texts) != inter.n_items:
            raise ValueError(f"item_texts has {len(texts)} entries for {inter.n_items} items")
    rng = np.random.default_rng(seed)
    cold = np.zeros(inter.n_items, dtype=bool)
    cold[rng.choice(inter.n_items, int(round(cold_frac * inter.n_items)), replace=False)] = True

    # without timestamps, a seeded random order: storage order may carry the answer (a file sorted by rating)
    time = inter.timestamps if inter.timestamps is not None else rng.permutation(len(inter))
    order = np.lexsort((np.arange(len(inter)), time, inter.users))
    r = inter.ratings[order]
    keep = (r >= like) | (r <= dislike)
    rows = order[keep]                                   # Yes/No ratings, by user then time
    users, items, ratings = inter.users[rows], inter.items[rows], inter.ratings[rows]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    ends = np.r_[starts[1:], len(rows)]
    records, target_rows = [], []
    for s, e in zip(starts, ends):
        for want_cold in (False, True):
            pos = [p for p in range(s + n_history, e) if cold[items[p]] == want_cold]
            if not pos:
                continue
            p = pos[-1]
            hist = range(p - n_history, p)
            records.append({"user": int(users[p]), "item": int(items[p]), "rating": float(ratings[p]),
                            "label": int(ratings[p] >= like),
                            "liked": [texts[items[h]] for h in hist if ratings[h] >= like],
                            "disliked": [texts[items[h]] for h in hist if ratings[h] < like],
                            "candidate": texts[items[p]], "cold": want_cold})
            target_rows.append(rows[p])
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        raise ValueError(f"no user has {n_history + 1} Yes/No ratings; lower n_history")
    user_ids = np.unique(frame["user"])
    test_users = rng.choice(user_ids, int(round(test_frac * len(user_ids))), replace=False)
    is_test = frame["user"].isin(test_users).to_numpy()
    train = frame[~is_test & ~frame["cold"]].reset_index(drop=True)
    test = frame[is_test].reset_index(drop=True)
    if max_test is not None:
        parts = []
        for flag in (False, True):
            part = test[test["cold"] == flag]
            parts.append(part.iloc[np.sort(rng.choice(len(part), min(max_test, len(part)), replace=False))])
        test = pd.concat(parts).reset_index(drop=True)
    drop = np.zeros(len(inter), dtype=bool)
    drop[np.asarray(target_rows)] = True
    drop |= cold[inter.items]
    return YesNoSamples(train, test, inter.subset(~drop), np.flatnonzero(cold), domain)


def auc(labels, scores) -> float:
    """Area under the ROC curve (Mann-Whitney U with tied scores counted half); needs both classes."""
    y = np.asarray(labels).astype(bool).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError(f"{y.size} labels for {s.size} scores")
    if not np.isfinite(s).all():
        raise ValueError("scores contain NaN or infinite values")
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs at least one positive and one negative label")
    ranks = rankdata(s)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def auc_interval(labels, scores, n_boot: int = 1000, level: float = 0.95, seed: int = 0,
                 baseline=None) -> tuple[float, float, float]:
    """``(AUC, low, high)``: AUC and its percentile bootstrap interval over pairs.

    With ``baseline`` (scores of another model on the same pairs) the statistic
    is the paired difference ``AUC(scores) - AUC(baseline)``, resampled together.
    """
    y = np.asarray(labels).astype(bool).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    b = None if baseline is None else np.asarray(baseline, dtype=np.float64).ravel()

    def stat(idx):
        return auc(y[idx], s[idx]) - (0.0 if b is None else auc(y[idx], b[idx]))

    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        if y[idx].all() or not y[idx].any():
            continue
        boots.append(stat(idx))
    alpha = (1 - level) / 2
    lo, hi = np.quantile(boots, [alpha, 1 - alpha])
    return stat(np.arange(len(y))), float(lo), float(hi)


def pair_features(cf_train: Interactions, users, items, prior: float = 5.0) -> np.ndarray:
    """Three features of (user, item) pairs from ``cf_train``: shrunk item mean, user mean, log item count.

    The inputs of the logistic baseline beside the LLM (shrinkage ``prior`` pulls a
    rarely rated item's mean towards the global mean; a cold item gets exactly it).
    """
    users, items = np.asarray(users, dtype=np.int64), np.asarray(items, dtype=np.int64)
    r = cf_train.ratings
    mu = float(r.mean())
    n_i = np.bincount(cf_train.items, minlength=cf_train.n_items)
    s_i = np.bincount(cf_train.items, weights=r, minlength=cf_train.n_items)
    n_u = np.bincount(cf_train.users, minlength=cf_train.n_users)
    s_u = np.bincount(cf_train.users, weights=r, minlength=cf_train.n_users)
    item_mean = (s_i + prior * mu) / (n_i + prior)
    user_mean = (s_u + prior * mu) / (n_u + prior)
    return np.column_stack([item_mean[items], user_mean[users], np.log1p(n_i[items])])
