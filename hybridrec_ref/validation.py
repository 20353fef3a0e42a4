"""Argument validation, declared once for the whole package (the house rules, reproducing appendix).

Every public constructor and function checks its arguments with these few
helpers, so a bad value fails at the call that introduced it, with a message
that names the argument, instead of deep inside numpy or torch, or not at all:

    self.n_factors = check_int("n_factors", n_factors)              # >= 1
    self.dropout = check_frac("dropout", dropout, closed="left")    # 0 <= p < 1
    self.lr = check_positive("lr", lr)                              # finite, > 0
    x = check_features(x, "item_features", n_rows=n_items)          # 2-D, finite, float32
    texts = check_texts(texts)                                      # a list of str

Each returns the checked value converted to a plain Python (or numpy) type,
so callers keep one line per parameter.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp

_INTERVALS = {"both": ("[", "]"), "left": ("[", ")"), "right": ("(", "]"), "neither": ("(", ")")}


def _is_int(value) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def check_int(name: str, value, minimum: int = 1, maximum: int | None = None, allow_none: bool = False):
    """``value`` as an ``int`` in ``[minimum, maximum]`` (``None`` passes when ``allow_none``)."""
    if value is None and allow_none:
        return None
    if not _is_int(value) or value < minimum or (maximum is not None and value > maximum):
        bound = f"an integer >= {minimum}" if maximum is None else f"an integer in [{minimum}, {maximum}]"
        if minimum == 1 and maximum is None:
            bound = "a positive integer"
        raise ValueError(f"{name} must be {bound}{' or None' if allow_none else ''}, got {value!r}")
    return int(value)


def check_k(k) -> int:
    """A cut-off ``k`` (a positive int)."""
    return check_int("k", k)


def check_real(name: str, value, low: float = -math.inf, high: float = math.inf, closed: str = "both",
               allow_none: bool = False, what: str | None = None):
    """``value`` as a finite ``float`` inside the interval ``low .. high`` (``closed`` says which ends count).

    ``what`` describes the allowed values in the error message (default: the interval).
    """
    if value is None and allow_none:
        return None
    left, right = _INTERVALS[closed]
    ok = _is_real(value) and math.isfinite(value)
    if ok:
        ok = (value >= low if left == "[" else value > low) and (value <= high if right == "]" else value < high)
    if not ok:
        what = what or f"a finite number in {left}{low:g}, {high:g}{right}"
        raise ValueError(f"{name} must be {what}{' or None' if allow_none else ''}, got {value!r}")
    return float(value)


def check_positive(name: str, value, allow_none: bool = False):
    """A finite number ``> 0`` as ``float``."""
    return check_real(name, value, 0.0, math.inf, closed="neither", allow_none=allow_none, what="a positive number")


def check_nonnegative(name: str, value, allow_none: bool = False):
    """A finite number ``>= 0`` as ``float``."""
    return check_real(name, value, 0.0, math.inf, closed="left", allow_none=allow_none,
                      what="a non-negative number")


def check_frac(name: str, value, closed: str = "neither"):
    """A share in ``0 .. 1``; by default both ends excluded (``closed="left"`` admits 0, e.g. a dropout rate)."""
    return check_real(name, value, 0.0, 1.0, closed=closed)


def check_choice(name: str, value, choices):
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value


def check_finite(name: str, array) -> np.ndarray:
    """``array`` as a numeric numpy array without NaN or infinite values."""
    a = np.asarray(array)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {a.dtype}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        bad = int((~np.isfinite(a)).sum())
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); remove or fill them first")
    return a


def check_index_array(name: str, values, size: int) -> np.ndarray:
    """Integer indices in ``[0, size)`` as a 1-D int64 array (scalars become length 1).

    Floats are refused even when they hold whole numbers: ``0.7`` silently
    becoming index 0 is the kind of wrong answer the package does not give.
    """
    a = np.asarray(values)
    if a.ndim > 1:
        raise ValueError(f"{name} must be a 1-D sequence, got an array of shape {a.shape}")
    a = np.atleast_1d(a)
    if a.size and a.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integer indices, got dtype {a.dtype}; map raw ids with "
                        f"Interactions.{'user' if 'user' in name else 'item'}_index")
    a = a.astype(np.int64)
    if a.size and (a.min() < 0 or a.max() >= size):
        raise ValueError(f"{name} must lie in [0, {size}), got [{a.min()}, {a.max()}]")
    return a


def check_features(x, name: str = "item_features", n_rows: int | None = None) -> np.ndarray:
    """``x`` (dense or sparse) as a finite float32 ``(rows, features)`` array; errors name ``name``."""
    if sp.issparse(x):
        x = x.toarray()
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (rows, features) matrix, got shape {x.shape}")
    if not np.isfinite(x).all():
        rows = np.flatnonzero(~np.isfinite(x).all(axis=1))
        raise ValueError(f"{name} contains NaN or infinite values in {len(rows)} row(s) (first: {rows[:5].tolist()}); "
                         "fill them first (e.g. np.nan_to_num)")
    if n_rows is not None and len(x) != n_rows:
        raise ValueError(f"{name} has {len(x)} rows for {n_rows} entities; rows must follow the index order")
    return x


def check_interactions(data, name: str = "train", allow_empty: bool = False):
    """``data`` if it is an :class:`~hybridrec_ref.data.Interactions` object (non-empty unless ``allow_empty``)."""
    from .data.interactions import Interactions

    if not isinstance(data, Interactions):
        raise TypeError(f"{name} must be an Interactions object, got {type(data).__name__}")
    if not allow_empty and len(data) == 0:
        raise ValueError(f"{name} is empty: cannot fit on no interactions")
    return data


def check_texts(texts, name: str = "texts") -> list[str]:
    """A list of strings (a single string is refused: it would be read as a list of characters)."""
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a sequence of strings, got a single string; wrap it in a list")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] is {type(t).__name__}, not str; fill missing text (e.g. with the title) first")
    return texts
