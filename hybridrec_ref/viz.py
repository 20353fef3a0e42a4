"""Plotting helpers shared by the notebooks: one style, captions live in the book.

``use_style()`` once per notebook; the functions return the matplotlib
``Figure`` so a notebook can ``record`` it with ``glue`` and the book can place
it with ``{glue:figure}`` and a caption.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() == "agg" else None
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def use_style() -> None:
    """A clean, readable style for every figure in the book."""
    plt.rcParams.update({
        "figure.figsize": (6.4, 3.6), "figure.dpi": 110, "savefig.dpi": 150, "savefig.bbox": "tight",
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE), "font.size": 10, "axes.titlesize": 11,
        "legend.frameon": False,
    })


def lorenz_curve(counts: np.ndarray):
    """Cumulative share of interactions vs share of items, most popular first."""
    c = np.sort(np.asarray(counts, dtype=float))[::-1]
    x = np.arange(1, len(c) + 1) / len(c)
    y = np.cumsum(c) / c.sum()
    return np.r_[0, x], np.r_[0, y]
