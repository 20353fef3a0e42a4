"""Cache hit rates for a stream of requests (chapter 14, "Caching and approximate retrieval").

The package's caches (text embeddings in :class:`~hybridrec_ref.content.cache.EmbeddingCache`,
the LLM's scores in chapter 10) save a computation whenever a request repeats. How often
that happens depends on the traffic: requests for items follow their popularity, so a
small cache of the most requested items already answers most of them.
:func:`lru_hit_rate` replays a request stream through a least-recently-used cache of a
given capacity; multiplied by the cost of a miss it gives the time saved.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ..validation import check_int


def lru_hit_rate(requests, capacity: int) -> float:
    """Share of ``requests`` (a sequence of hashable keys) answered by an LRU cache of ``capacity`` entries."""
    capacity = check_int("capacity", capacity, minimum=0)
    cache: OrderedDict = OrderedDict()
    hits = 0
    requests = list(np.asarray(requests).tolist())
    for key in requests:
        if key in cache:
            hits += 1
            cache.move_to_end(key)
        elif capacity:
            cache[key] = None
            if len(cache) > capacity:
                cache.popitem(last=False)
    return hits / len(requests) if requests else float("nan")
