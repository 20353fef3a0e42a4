"""Build the HTML book from executed notebooks (``make book``; the book test).

``python -m hybridrec_ref.book _build/src`` copies the book's configuration
and prose (``_config.yml``, ``_toc.yml``, ``book/``) beside the executed
notebooks already in ``_build/src/notebooks`` and runs Jupyter Book 1 with
execution off and warnings as errors. The HTML lands in ``_build/html``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def toc_notebooks(root: Path = ROOT) -> list[str]:
    """Notebook files named in ``_toc.yml`` (``notebooks/NN_slug.ipynb``)."""
    import yaml

    found = []

    def walk(node):
        if isinstance(node, dict):
            f = node.get("file")
            if isinstance(f, str) and f.startswith("notebooks/"):
                found.append(f if f.endswith(".ipynb") else f + ".ipynb")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(yaml.safe_load((root / "_toc.yml").read_text()))
    return found


def build(src: str | Path, root: Path = ROOT) -> Path:
    """Assemble ``src`` and build; return the path of ``index.html``."""
    src = Path(src).resolve()
    missing = [nb for nb in toc_notebooks(root) if not (src / nb).exists()]
    if missing:
        raise FileNotFoundError(f"executed notebooks missing in {src}: {missing}; run `make execute` first")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, src / name)
    shutil.copytree(root / "book", src / "book", dirs_exist_ok=True)
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb), "build", str(src), "--path-output", str(root), "-W", "--keep-going"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"jupyter-book build failed ({done.returncode}):\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}")
    return root / "_build" / "html" / "index.html"


if __name__ == "__main__":
    print(f"[hybridrec] built {build(sys.argv[1] if len(sys.argv) > 1 else ROOT / '_build' / 'src')}")
