"""Notebook plumbing: record glued values, execute chapters, read values back.

In a chapter notebook::

    from hybridrec_ref.notebook import record
    record("pop_ndcg10", ndcg)            # myst_nb.glue(..., display=False)

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


def record(name: str, value, display: bool = False) -> None:
    """Glue ``value`` under ``name`` for the book (``{glue:text}``) and the tests.

    Returns nothing, so a cell that ends with ``record(...)`` prints no stray value.
    """
    from myst_nb import glue

    glue(name, _plain(value), display=display)


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
