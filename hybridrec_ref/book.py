"""Build the HTML book from executed notebooks (``make book``; the book test).

``python -m hybridrec_ref.book _build/src`` copies the book's configuration
and prose (``_config.yml``, ``_toc.yml``, ``book/``) beside the executed
notebooks already in ``_build/src/notebooks`` and runs Jupyter Book 1 with
execution off and warnings as errors. The HTML lands in ``_build/html``.

The book renders offline: MathJax 3 is served from the book's own static
files (:func:`vendor_mathjax` fetches the ``mathjax`` npm package through the
registry's ordinary client, checks it against the SHA-512 integrity pinned
below, and unpacks the browser build under ``_vendor/mathjax``; ``_config.yml``
points ``mathjax_path`` at it). ``tests/test_book_browser.py`` opens every
page in headless Chromium with the network off to check it.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# MathJax 3 from the npm registry (``npm view mathjax@3.2.2 dist.integrity``).
MATHJAX = {
    "package": "mathjax@3.2.2",
    "file": "mathjax-3.2.2.tgz",
    "size": 6132118,
    "integrity": "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
}
# What the page loads (``tex-chtml.js``) and the components and fonts it pulls in on demand.
_MATHJAX_KEEP = ("tex-chtml.js", "input/", "output/chtml", "output/chtml.js", "ui/", "a11y/", "sre/",
                 "adaptors/", "core.js", "loader.js", "startup.js")


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def mathjax_archive(cache: Path | None = None) -> Path:
    """The verified MathJax tarball in the cache, fetched with ``npm pack`` when missing or damaged."""
    from hybridrec_ref.data.fetch import DataUnavailableError, atomic_write_bytes, default_cache_dir

    cache = Path(cache) if cache else default_cache_dir() / "npm"
    path = cache / MATHJAX["file"]
    if path.exists() and _integrity(path) == MATHJAX["integrity"]:
        return path
    npm = shutil.which("npm")
    if npm is None:
        raise DataUnavailableError("the book serves MathJax from its own files and fetches them with npm "
                                   "(Node.js); install Node.js 18+ or put a verified "
                                   f"{MATHJAX['file']} in {cache}")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([npm, "pack", MATHJAX["package"], "--pack-destination", tmp],
                              capture_output=True, text=True, timeout=600)
        got = Path(tmp) / MATHJAX["file"]
        if done.returncode != 0 or not got.exists():
            raise DataUnavailableError(f"npm pack {MATHJAX['package']} failed: {done.stderr[-2000:]}")
        if got.stat().st_size != MATHJAX["size"] or _integrity(got) != MATHJAX["integrity"]:
            raise DataUnavailableError(f"{MATHJAX['file']} from npm does not match its pinned SHA-512; "
                                       "refusing to use it")
        atomic_write_bytes(path, got.read_bytes())
    return path


def vendor_mathjax(dest: Path, cache: Path | None = None) -> Path:
    """Unpack MathJax's browser build (``es5/``) into ``dest/mathjax``; return ``tex-chtml.js``."""
    dest = Path(dest) / "mathjax"
    entry = dest / "tex-chtml.js"
    if entry.exists():
        return entry
    archive = mathjax_archive(cache)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=".mathjax."))
    try:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                rel = member.name.removeprefix("package/es5/")
                if rel == member.name or not member.isfile() or not rel.startswith(_MATHJAX_KEEP):
                    continue
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
        shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)  # all or nothing
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return entry


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


API_HEADER = """(app-api)=
# API reference

Generated from the docstrings of `hybridrec_ref` when the book is built, one section per
subpackage and module, so it lists exactly what the package holds. Each docstring names
the chapter that explains the thing; the chapters show the heart of each method with the
code pulled from the same files.
"""


def api_modules(package: str = "hybridrec_ref") -> dict[str, list[str]]:
    """Public modules of ``package`` by subpackage (``__main__`` and private modules left out)."""
    import importlib
    import pkgutil

    pkg = importlib.import_module(package)
    groups: dict[str, list[str]] = {package: []}
    for info in sorted(pkgutil.walk_packages(pkg.__path__, package + "."), key=lambda m: m.name):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf.startswith("_") or info.name.endswith(".book"):
            continue
        if info.ispkg:
            groups.setdefault(info.name, [])
        else:
            parent = info.name.rsplit(".", 1)[0]
            groups.setdefault(parent, []).append(info.name)
    return groups


def api_page(package: str = "hybridrec_ref") -> str:
    """MyST source of the API appendix: ``automodule`` for every public module.

    (Inside ``eval-rst``: MyST's own ``{automodule}`` directive documents no members.)
    """
    out = [API_HEADER]
    for group, modules in api_modules(package).items():
        out.append(f"## `{group}`\n")
        out.append(f"```{{eval-rst}}\n.. automodule:: {group}\n   :no-members:\n```\n")
        for mod in modules:
            out.append(f"### `{mod.rsplit('.', 1)[-1]}`\n")
            out.append(f"```{{eval-rst}}\n.. automodule:: {mod}\n   :members:\n```\n")
    return "\n".join(out)


# Data-flow diagrams of the applications chapter (book/applications.md), drawn at build time.
# Nodes: key -> (column, row, label[, colour]); edges: (from, to[, label]).
_TEXT, _BEHAVIOUR, _FUSE, _OUT = "#fde0c5", "#deebf7", "#e5f5e0", "#f2f0f7"
APPLICATION_FLOWS = {
    "social": ({"text": (0, 0, "posts, bios,\ncomments (text)", _TEXT),
                "graph": (0, 1, "follows, likes,\ntrust edges", _BEHAVIOUR),
                "lm": (1, 0, "LM text\nencoder", _TEXT),
                "cf": (1, 1, "social CF\n(trust-aware MF)", _BEHAVIOUR),
                "fuse": (2, 0.5, "fusion: gate on\nhistory length", _FUSE),
                "feed": (3, 0.5, "ranked feed", _OUT)},
               [("text", "lm"), ("graph", "cf"), ("lm", "fuse"), ("cf", "fuse"), ("fuse", "feed"),
                ("feed", "graph", "new interactions")]),
    "ecommerce": ({"text": (0, 0, "titles, descriptions,\nreviews", _TEXT),
                   "logs": (0, 1, "views, carts,\npurchases", _BEHAVIOUR),
                   "lm": (1, 0, "LM item\nembeddings", _TEXT),
                   "cf": (1, 1, "CF candidates\n(ALS / EASE)", _BEHAVIOUR),
                   "rank": (2, 0.5, "re-rank candidates\n+ cold products", _FUSE),
                   "list": (3, 0.5, "product list", _OUT)},
                  [("text", "lm"), ("logs", "cf"), ("lm", "rank"), ("cf", "rank"), ("rank", "list"),
                   ("list", "logs", "clicks, sales")]),
    "media": ({"text": (0, 0, "articles, synopses,\ntranscripts", _TEXT),
               "seq": (0, 1, "watch / read\nsequences", _BEHAVIOUR),
               "lm": (1, 0, "LM ranks new\nitems (no history)", _TEXT),
               "cf": (1, 1, "sequential model\nranks known items", _BEHAVIOUR),
               "mix": (2, 0.5, "mixed list,\nrank-calibrated", _FUSE),
               "home": (3, 0.5, "home page,\nnext up", _OUT)},
              [("text", "lm"), ("seq", "cf"), ("lm", "mix"), ("cf", "mix"), ("mix", "home"),
               ("home", "seq", "plays, skips")]),
    "finance": ({"text": (0, 0, "product documents,\nrisk disclosures", _TEXT),
                 "hold": (0, 1, "holdings,\ntransactions", _BEHAVIOUR),
                 "lm": (1, 0, "LM: product\nfeatures, summaries", _TEXT),
                 "cf": (1, 1, "CF: similar\ncustomers", _BEHAVIOUR),
                 "rules": (2, 0.5, "suitability and\ncompliance filter", _FUSE),
                 "adv": (3, 0.5, "suggestions for\nan adviser", _OUT)},
                [("text", "lm"), ("hold", "cf"), ("lm", "rules"), ("cf", "rules"), ("rules", "adv")]),
    "healthcare": ({"text": (0, 0, "guidelines, leaflets,\nitem descriptions", _TEXT),
                    "hist": (0, 1, "de-identified\nuse histories", _BEHAVIOUR),
                    "lm": (1, 0, "LM: match text\nto the case", _TEXT),
                    "cf": (1, 1, "CF: what similar\ncases used", _BEHAVIOUR),
                    "rules": (2, 0.5, "clinical rules,\ncontraindications", _FUSE),
                    "doc": (3, 0.5, "options shown\nto a clinician", _OUT)},
                   [("text", "lm"), ("hist", "cf"), ("lm", "rules"), ("cf", "rules"), ("rules", "doc")]),
    "education": ({"text": (0, 0, "course and\nexercise text", _TEXT),
                   "att": (0, 1, "attempts, scores,\ncompletions", _BEHAVIOUR),
                   "lm": (1, 0, "LM: topics,\nprerequisites", _TEXT),
                   "cf": (1, 1, "CF / knowledge\ntracing", _BEHAVIOUR),
                   "fuse": (2, 0.5, "fusion: mastery,\ndifficulty, order", _FUSE),
                   "next": (3, 0.5, "next exercise\nor course", _OUT)},
                  [("text", "lm"), ("att", "cf"), ("lm", "fuse"), ("cf", "fuse"), ("fuse", "next"),
                   ("next", "att", "new attempts")]),
}


def write_diagrams(dest: Path) -> list[Path]:
    """Draw :data:`APPLICATION_FLOWS` as SVG files ``dest/app-<name>.svg`` (offline, reproducible)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hybridrec_ref.data.fetch import atomic_write_bytes
    from hybridrec_ref.viz import flow_diagram, use_style
    import io

    use_style()
    written = []
    for name, (nodes, edges) in APPLICATION_FLOWS.items():
        fig = flow_diagram(nodes, edges)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
        path = Path(dest) / f"app-{name}.svg"
        atomic_write_bytes(path, buf.getvalue())
        written.append(path)
    return written


def build(src: str | Path, root: Path = ROOT) -> Path:
    """Assemble ``src`` and build; return the path of ``index.html``."""
    src = Path(src).resolve()
    missing = [nb for nb in toc_notebooks(root) if not (src / nb).exists()]
    if missing:
        raise FileNotFoundError(f"executed notebooks missing in {src}: {missing}; run `make execute` first")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, src / name)
    shutil.copytree(root / "book", src / "book", dirs_exist_ok=True)
    # the chapters show the package's code with ``literalinclude`` (``../hybridrec_ref/...``),
    # Appendix B the case-study scripts (``../examples/...``)
    for code in ("hybridrec_ref", "examples"):
        shutil.rmtree(src / code, ignore_errors=True)
        shutil.copytree(root / code, src / code, ignore=shutil.ignore_patterns("__pycache__"))
    vendor_mathjax(src / "_vendor")
    write_diagrams(src / "book" / "figures")
    (src / "book" / "api.md").write_text(api_page())  # the build tree only; the repository keeps a stub
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb), "build", str(src), "--path-output", str(root), "-W", "--keep-going"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"jupyter-book build failed ({done.returncode}):\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}")
    return root / "_build" / "html" / "index.html"


if __name__ == "__main__":
    print(f"[hybridrec] built {build(sys.argv[1] if len(sys.argv) > 1 else ROOT / '_build' / 'src')}")
