"""Content hashes: one fingerprint for data, arrays and models (cache keys; the house rules).

A cache keyed by ``repr`` or by object identity reuses a result for a model
or dataset that only *looks* the same (two feature matrices of equal shape,
two splits with equal user/item ids but different ratings). Keys built with
:func:`content_hash` change whenever anything the result depends on changes:

    content_hash(train)                 # every index, rating and timestamp, and the index space
    content_hash(model)                 # the class and every hyper-parameter, arrays by their bytes

An object can name what identifies it with a ``__content_key__()`` method
(a loaded LLM: its id, dtype and weights, not its tokenizer's internals).

Used by the shared-fit cache of the fusion chapters and the LLM score cache.
"""

from __future__ import annotations

import hashlib
from numbers import Number

import numpy as np


def _update(h, obj) -> None:
    from .base import Recommender
    from .data.interactions import Interactions

    if obj is None or isinstance(obj, (bool, str, Number)):
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
    elif isinstance(obj, np.ndarray) or type(obj).__module__.startswith("torch"):
        a = np.ascontiguousarray(obj.detach().cpu().numpy() if hasattr(obj, "detach") else obj)
        h.update(f"array:{a.dtype.str}:{a.shape};".encode())
        h.update(a.tobytes())
    elif hasattr(obj, "toarray") and hasattr(obj, "nnz"):                     # scipy sparse
        csr = obj.tocsr()
        h.update(f"sparse:{csr.shape};".encode())
        for part in (csr.indptr, csr.indices, csr.data):
            _update(h, part)
    elif isinstance(obj, Interactions):
        h.update(f"interactions:{obj.n_users}:{obj.n_items};".encode())
        for part in (obj.users, obj.items, obj.ratings, obj.timestamps):
            _update(h, part)
    elif hasattr(obj, "__content_key__"):                                    # objects that say what identifies them
        h.update(f"keyed:{type(obj).__qualname__};".encode())
        _update(h, obj.__content_key__())
    elif isinstance(obj, Recommender):
        h.update(f"model:{type(obj).__module__}.{type(obj).__qualname__};".encode())
        _update(h, obj.get_params())
    elif isinstance(obj, dict):
        h.update(b"dict{")
        for k in sorted(obj, key=repr):
            _update(h, k)
            _update(h, obj[k])
        h.update(b"}")
    elif isinstance(obj, (list, tuple, set, frozenset)):
        h.update(f"{type(obj).__name__}[{len(obj)}".encode())
        for v in (sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj):
            _update(h, v)
        h.update(b"]")
    elif hasattr(obj, "state_dict") and callable(obj.state_dict):            # torch modules: their weights
        h.update(f"module:{type(obj).__qualname__};".encode())
        _update(h, dict(obj.state_dict()))
    elif hasattr(obj, "__dict__") and not callable(obj):                     # plain helper objects (item maps, encoders)
        h.update(f"object:{type(obj).__module__}.{type(obj).__qualname__};".encode())
        _update(h, {k: v for k, v in vars(obj).items() if not k.endswith("_") and not k.startswith("_")})
    else:
        raise TypeError(f"content_hash cannot fingerprint a {type(obj).__name__}; pass arrays, numbers, strings, "
                        "containers, Interactions or Recommenders")


def content_hash(*objs) -> str:
    """SHA-256 hex digest of the contents of ``objs`` (see the module docstring for what counts)."""
    h = hashlib.sha256()
    for obj in objs:
        _update(h, obj)
    return h.hexdigest()
