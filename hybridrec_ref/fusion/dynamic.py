"""Dynamic adjustment: replay a time-ordered stream, test then train, and watch the fusion weights move (chapter 8).

A deployed recommender does not see its data at once: interactions arrive
in time order, new users and new items appear, and a user with three ratings
today has thirty next week. :func:`replay_stream` simulates that with the
*prequential* (test-then-train) protocol:

1. sort the interactions by timestamp; the first ``initial_frac`` of them are
   the history the model is first fitted on; cut the rest into ``n_chunks``
   consecutive chunks of equal size;
2. for each chunk, **test**: every user who appears in it gets a top-k list
   over all items, with everything the user interacted with *before the
   chunk* excluded; the items the user interacts with in the chunk are the
   relevant ones (NDCG@k, Recall@k per chunk);
3. then **train**: append the chunk to the history and refresh the model:
   ``"none"`` (never: the model stays as first fitted), ``"update"`` (call
   ``model.update(history)``: for :class:`~hybridrec_ref.fusion.gated.GatedFusion`
   this recomputes the history-dependent weights without re-learning the
   gate or refitting the experts) or ``"refit"`` (fit again on the whole
   history; a factory gives a fresh model each time).

The model never sees a chunk before it is tested on it (the unit tests check
that). For models with ``weights(users, items)`` (the gate), the mean weight of
each expert over the chunk's interactions is recorded, overall and by the
user's history length at the time. :func:`weights_by_history` gives the
gate's weights for every user as a function of their history length.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..base import Recommender, check_k, mask_seen, top_k
from ..data.interactions import Interactions
from ..eval.metrics import topk_metrics
from ..validation import check_choice, check_frac, check_int

REFRESH = ("none", "update", "refit")
#: user-history buckets (number of earlier interactions): [0, 1), [1, 20), [20, 100), [100, inf)
HISTORY_EDGES = (0, 1, 20, 100)


def history_bucket_labels(edges=HISTORY_EDGES) -> list[str]:
    """Labels of the buckets ``[edges[j], edges[j+1])`` (the last one open-ended)."""
    out = []
    for lo, hi in zip(edges, list(edges[1:]) + [None]):
        out.append(f"{lo}+" if hi is None else (f"{lo}" if hi == lo + 1 else f"{lo}-{hi - 1}"))
    return out


def _bucket(counts: np.ndarray, edges) -> np.ndarray:
    return np.searchsorted(np.asarray(edges), counts, side="right") - 1


def stream_chunks(data: Interactions, n_chunks: int, initial_frac: float = 0.5):
    """``(initial_index, [chunk_index, ...])``: positions into ``data`` in time order (ties keep data order)."""
    if data.timestamps is None:
        raise ValueError("replaying a stream needs timestamps; these interactions have none")
    check_int("n_chunks", n_chunks)
    check_frac("initial_frac", initial_frac)
    order = np.argsort(data.timestamps, kind="stable")
    n_init = int(round(initial_frac * len(order)))
    if len(order) - n_init < n_chunks:
        raise ValueError(f"{len(order) - n_init} interactions after the initial history cannot fill {n_chunks} chunks")
    return order[:n_init], np.array_split(order[n_init:], n_chunks)


def _refresh(model, factory, history, how):
    if how == "update":
        return model.update(history) or model
    if how == "refit":
        return (factory() if factory is not None else model).fit(history)
    return model


def replay_stream(model: Recommender | Callable[[], Recommender], data: Interactions, n_chunks: int = 8,
                  initial_frac: float = 0.5, refresh: str = "update", k: int = 10, history_edges=HISTORY_EDGES,
                  verbose: bool = False) -> pd.DataFrame:
    """Prequential replay of ``data`` in time order (see the module docstring); one row per chunk.

    ``model`` is an unfitted recommender (fitted on the initial history here) or a
    zero-argument factory returning one (``refresh="refit"`` then builds a fresh
    model per chunk). Columns: ``chunk``, ``start``, ``end`` (timestamps of the
    chunk), ``n_history`` (interactions before the chunk),
    ``n_interactions``, ``n_users`` (evaluated), ``NDCG@k``, ``Recall@k``,
    ``cold_item_share`` / ``new_user_share`` (share of the chunk's interactions
    on items / by users absent from the history), and ``weight:<expert>`` for gated
    models. ``result.attrs["weights"]`` is a long table of mean weights per chunk,
    expert and user-history bucket.
    """
    check_choice("refresh", refresh, REFRESH)
    k = check_k(k)
    factory = None
    if not isinstance(model, Recommender):
        if not callable(model):
            raise TypeError("model must be a Recommender or a zero-argument factory returning one")
        factory, model = model, model()
    if refresh == "update" and not hasattr(model, "update"):
        raise ValueError(f"{type(model).__name__} has no update(history); use refresh='refit' or 'none'")
    initial, chunks = stream_chunks(data, n_chunks, initial_frac)
    seen_mask = np.zeros(len(data), dtype=bool)
    seen_mask[initial] = True
    history = data.subset(seen_mask)
    model.fit(history)
    labels = history_bucket_labels(history_edges)
    rows, weight_rows = [], []
    for c, idx in enumerate(tqdm(chunks, disable=not verbose, desc="stream chunks")):
        chunk = data.subset(idx)
        seen = history.to_csr("ones")
        u_counts, i_counts = history.user_counts(), history.item_counts()
        new_pair = np.asarray(seen[chunk.users, chunk.items]).ravel() == 0   # re-interactions are not "new"
        relevant = chunk.subset(new_pair)
        row = {"chunk": c, "start": int(chunk.timestamps.min()), "end": int(chunk.timestamps.max()),
               "n_history": len(history), "n_interactions": len(chunk),
               "cold_item_share": float(np.mean(i_counts[chunk.items] == 0)),
               "new_user_share": float(np.mean(u_counts[chunk.users] == 0))}
        users = np.unique(relevant.users)
        row["n_users"] = len(users)
        if len(users):
            scores = model.score(users).cpu()
            scores = scores.clone() if scores.is_floating_point() else scores.float()
            mask_seen(scores, seen, users)
            topk = top_k(scores, k, users, type(model).__name__).numpy()   # the book's one tie-break
            metrics = topk_metrics(topk, relevant.to_csr("ones"), users)
            row[f"NDCG@{k}"] = float(np.mean(metrics["NDCG"]))
            row[f"Recall@{k}"] = float(np.mean(metrics["Recall"]))
            if hasattr(model, "weights") and hasattr(model, "user_counts_"):
                w = _weights(model, relevant.users, relevant.items)
                bucket = _bucket(u_counts[relevant.users], history_edges)
                for name, values in w.items():
                    row[f"weight:{name}"] = float(values.mean())
                    for b in np.unique(bucket):
                        weight_rows.append({"chunk": c, "expert": name, "user_history": labels[b],
                                            "weight": float(values[bucket == b].mean()),
                                            "n": int((bucket == b).sum())})
        rows.append(row)
        seen_mask[idx] = True
        history = data.subset(seen_mask)
        model = _refresh(model, factory, history, refresh)
    out = pd.DataFrame(rows)
    for col in ("start", "end"):
        out[col] = pd.to_datetime(out[col], unit="s")
    out.attrs["weights"] = pd.DataFrame(weight_rows, columns=["chunk", "expert", "user_history", "weight", "n"])
    return out


def _weights(model, users, items, batch_size=1024) -> dict:
    """``model.weights`` in batches of pairs (the gate builds a users x all-items context per call)."""
    parts = [model.weights(users[s:s + batch_size], items[s:s + batch_size]) for s in range(0, len(users), batch_size)]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def weights_by_history(model, item="median") -> pd.DataFrame:
    """A fitted gate's expert weights for every user on one ``item``, beside the user's history length.

    ``model`` needs ``weights(users, items)`` and ``user_counts_`` / ``item_counts_``
    (:class:`~hybridrec_ref.fusion.gated.GatedFusion`). The gate sees an item only
    through its history length, so one item stands for all items like it:
    ``"median"`` (the item with the median history among items that have one),
    ``"cold"`` (an item without history) or an item index. One row per user:
    ``user_history`` and one column per expert.
    """
    if not (hasattr(model, "weights") and hasattr(model, "user_counts_")):
        raise TypeError(f"{type(model).__name__} is not a fitted gated model (needs weights() and user_counts_)")
    counts = np.asarray(model.item_counts_)
    if isinstance(item, str):
        if item == "median":
            warm = np.flatnonzero(counts > 0)
            item = warm[np.argsort(counts[warm], kind="stable")[len(warm) // 2]]
        elif item == "cold":
            cold = np.flatnonzero(counts == 0)
            if len(cold) == 0:
                raise ValueError("every item has a history: there is no cold item to show")
            item = cold[0]
        else:
            raise ValueError(f"item must be 'median', 'cold' or an item index, got {item!r}")
    item = int(item)
    if not 0 <= item < len(counts):
        raise ValueError(f"item index {item} outside [0, {len(counts)})")
    users = np.arange(len(model.user_counts_))
    w = _weights(model, users, np.full(len(users), item))
    table = pd.DataFrame(w)
    table.insert(0, "user_history", np.asarray(model.user_counts_))
    table.index.name = "user"
    table.attrs["item"], table.attrs["item_history"] = item, int(counts[item])
    return table
