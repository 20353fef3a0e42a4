"""Notebook plumbing: one setup call, record glued values, execute chapters, read values back.

In a chapter notebook::

    from hybridrec_ref.notebook import chapter_data, record, setup
    device = setup(SMOKE, seed=SEED, device=DEVICE)   # warnings, plot style, pandas display, threads
    ds, data = chapter_data(SMOKE)                    # MovieLens-100k; SMOKE keeps the first 150 users
    record("pop_ndcg10", ndcg)                        # myst_nb.glue(..., display=False)
    record(n_users=943, n_items=1682)                 # several values in one call

and in the prose ``{glue:text}`pop_ndcg10:.3f```. The tests execute each
notebook with Papermill (:func:`execute`) and read the same values back with
:func:`read_glued`, so the numbers in the book and the numbers under test are
one and the same. ``python -m hybridrec_ref.notebook SRC DEST [--smoke]``
executes every notebook of ``SRC`` into ``DEST`` (used by ``make book``).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time
from pathlib import Path

import numpy as np


def _plain(value):
    """numpy scalars -> Python numbers, so the glued text is a plain literal."""
    if isinstance(value, np.generic):
        return value.item()
    return value


_MISSING = object()

#: users kept by a SMOKE run (the same code path on a fraction of the data)
SMOKE_USERS = 150


def record(name=None, value=_MISSING, display: bool = False, **values) -> None:
    """Glue values for the book (``{glue:text}``) and the tests.

    ``record("name", value)`` glues one value; ``record(a=1, b=2)`` or
    ``record({"a": 1, "b": 2})`` glue several (keys that are not identifiers go in
    the dict). ``display=True`` also shows them in the notebook. Returns nothing,
    so a cell that ends with ``record(...)`` prints no stray value.
    """
    from myst_nb import glue

    if isinstance(name, dict):
        if value is not _MISSING:
            raise TypeError("record(dict) takes no separate value; use record(name, value) for one value")
        values = {**name, **values}
    elif name is not None:
        if value is _MISSING:
            raise TypeError(f"record({name!r}) needs a value: record(name, value)")
        if name in values:
            raise TypeError(f"{name!r} given twice")
        values = {name: value, **values}
    elif value is not _MISSING:
        raise TypeError("record(value=...) needs a name: record(name, value)")
    if not values:
        raise TypeError("record needs at least one name and value")
    for key, v in values.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"glue names must be non-empty strings, got {key!r}")
        glue(key, _plain(v), display=display)


def setup(smoke: bool = False, seed: int | None = None, device: str = "auto", torch_threads: int | None = None):
    """The first call of every chapter notebook; returns the resolved torch device.

    Silences the two warnings a built book should not show (tqdm without
    ipywidgets, implicit's advice about BLAS threads), applies the book's plot
    style (:func:`hybridrec_ref.viz.use_style`) and a 4-decimal pandas display,
    limits torch to ``torch_threads`` CPU threads when running on a CPU (small
    models on a shared CPU run fastest on one thread), and seeds every random
    generator with ``seed`` when given. ``smoke`` is accepted so the call reads
    the same in every chapter; the SMOKE data subset is :func:`chapter_data`'s job.
    """
    import warnings

    import pandas as pd
    import torch
    from tqdm import TqdmWarning

    from .perf.device import resolve_device, seed_everything
    from .viz import use_style

    warnings.filterwarnings("ignore", category=TqdmWarning)  # no ipywidgets in the book build: text bars are fine
    warnings.filterwarnings("ignore", message="OpenBLAS is configured")  # implicit's advice about BLAS threads
    use_style()
    pd.set_option("display.float_format", "{:.4f}".format)
    dev = resolve_device(device)
    if torch_threads is not None and dev.type == "cpu":
        torch.set_num_threads(torch_threads)
    if seed is not None:
        seed_everything(seed)
    if smoke:
        print(f"SMOKE run: the first {SMOKE_USERS} users, tiny sizes (same code path)")
    return dev


def smoke_subset(data, smoke: bool, n_users: int = SMOKE_USERS):
    """``data`` itself, or (SMOKE) its interactions of the first ``n_users`` users, same index space."""
    return data.subset(data.users < n_users) if smoke else data


def chapter_data(smoke: bool = False):
    """MovieLens-100k (``Dataset``) and its interactions, cut to :data:`SMOKE_USERS` users under SMOKE."""
    from .data import load_movielens_100k

    ds = load_movielens_100k()
    return ds, smoke_subset(ds.interactions, smoke)


def read_glued(notebook: str | Path) -> dict:
    """All glued values of an executed notebook, as Python objects where they parse.

    Numbers, strings, lists and dicts come back as values; other objects
    (figures, DataFrames) as their ``text/plain`` representation.
    """
    nb = json.loads(Path(notebook).read_text())
    values = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            prefix = out["metadata"]["scrapbook"].get("mime_prefix", "")
            text = out.get("data", {}).get(prefix + "text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            try:
                values[name] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                values[name] = text
    return values


def error_outputs(notebook: str | Path) -> list[str]:
    """Error outputs (tracebacks) left in an executed notebook."""
    nb = json.loads(Path(notebook).read_text())
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb["cells"] for o in c.get("outputs", [])
            if o.get("output_type") == "error"]


def execute(src: str | Path, dest: str | Path, parameters: dict | None = None, kernel: str = "python3") -> Path:
    """Run one notebook with Papermill into ``dest`` (a file path); return ``dest``."""
    import papermill as pm

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Progress bars help a reader in JupyterLab; in the built book they are noise.
    old = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"
    try:
        pm.execute_notebook(str(src), str(dest), parameters=parameters or {}, kernel_name=kernel,
                            cwd=str(Path(src).resolve().parent), progress_bar=False)
    finally:
        if old is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = old
    return dest


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Execute every chapter notebook with Papermill.")
    ap.add_argument("src", help="folder with the clean notebooks")
    ap.add_argument("dest", help="folder for the executed copies")
    ap.add_argument("--smoke", action="store_true", help="pass SMOKE=True (tiny, fast runs)")
    ap.add_argument("--only", nargs="*", help="notebook file names to run (default: all)")
    args = ap.parse_args(argv)
    notebooks = sorted(Path(args.src).glob("[0-9][0-9]_*.ipynb"))
    if args.only:
        notebooks = [p for p in notebooks if p.name in args.only]
    for nb in notebooks:
        t0 = time.time()
        print(f"[hybridrec] executing {nb.name} ...", flush=True)
        execute(nb, Path(args.dest) / nb.name, {"SMOKE": True} if args.smoke else {})
        print(f"[hybridrec]   {nb.name} done in {time.time() - t0:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
