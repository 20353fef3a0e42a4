"""Plotting helpers shared by the notebooks: one style, captions live in the book.

``use_style()`` once per notebook; the functions return the matplotlib
``Figure`` so a notebook can ``record`` it with ``glue`` and the book can place
it with ``{glue:figure}`` and a caption. Figures go to the page as SVG (sharp at
any zoom and on high-density screens); ``integer_ticks`` keeps epoch axes on
whole numbers.
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
        "legend.frameon": False, "svg.fonttype": "none", "svg.hashsalt": "hybridrec",
    })
    try:  # inside a kernel: figures displayed (and glued) as vector graphics
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("svg")
    except Exception:  # plain Python: nothing is displayed, nothing to set
        pass


def integer_ticks(*axes, axis: str = "x") -> None:
    """Whole-number ticks on ``axis`` of every axes given (epochs, counts)."""
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        getattr(ax, f"{axis}axis").set_major_locator(MaxNLocator(integer=True))


def lorenz_curve(counts: np.ndarray):
    """Cumulative share of interactions vs share of items, most popular first."""
    c = np.sort(np.asarray(counts, dtype=float))[::-1]
    x = np.arange(1, len(c) + 1) / len(c)
    y = np.cumsum(c) / c.sum()
    return np.r_[0, x], np.r_[0, y]


def flow_diagram(nodes: dict, edges: list, width: float = 9.0, height: float = 3.2, box=(1.9, 0.72)):
    """A data-flow diagram: ``nodes`` maps a key to ``(column, row, label[, colour])``, ``edges``
    lists ``(from, to)`` or ``(from, to, label)``. Columns run left to right, rows top to bottom.

    Used for the application diagrams of Part VII (drawn when the book is built, so they
    render offline); returns the ``Figure``.
    """
    from matplotlib.patches import FancyBboxPatch

    cols = max(n[0] for n in nodes.values()) + 1
    rows = max(n[1] for n in nodes.values()) + 1
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_axis_off()
    ax.set_xlim(-0.1, cols * 2.4)
    ax.set_ylim(-rows * 1.1 + 0.2, 0.9)
    w, h = box
    centre = {}
    for key, spec in nodes.items():
        col, row, label = spec[:3]
        colour = spec[3] if len(spec) > 3 else "#deebf7"
        x, y = col * 2.4 + 0.1, -row * 1.1
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.04,rounding_size=0.12",
                                    facecolor=colour, edgecolor="#333333", lw=1.0))
        ax.text(x + w / 2, y + h / 2, label, ha="center", va="center", fontsize=8.5, wrap=True)
        centre[key] = (x, y)
    for edge in edges:
        a, b = edge[:2]
        (xa, ya), (xb, yb) = centre[a], centre[b]
        if xb > xa:        # left to right
            start, end = (xa + w + 0.04, ya + h / 2), (xb - 0.04, yb + h / 2)
        elif xb < xa:      # a loop back, drawn below the boxes
            start, end = (xa + w / 2, ya - 0.06), (xb + w / 2, yb - 0.06)
        else:              # same column
            start, end = ((xa + w / 2, ya - 0.04), (xb + w / 2, yb + h + 0.04)) if yb < ya else \
                ((xa + w / 2, ya + h + 0.04), (xb + w / 2, yb - 0.04))
        style = "arc3,rad=-0.25" if xb < xa else "arc3"
        ax.annotate("", xy=end, xytext=start,
                    arrowprops=dict(arrowstyle="-|>", lw=1.1, color="#333333", connectionstyle=style))
        if len(edge) > 2:
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            if xb < xa:    # the arc's lowest point: half its control offset below the chord
                my -= 0.25 * float(np.hypot(end[0] - start[0], end[1] - start[1])) / 2 + 0.15
            ax.text(mx, my + 0.08, edge[2], ha="center", fontsize=7.5, color="#555555")
    fig.tight_layout()
    return fig
