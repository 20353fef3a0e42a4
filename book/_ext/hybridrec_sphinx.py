"""Small Sphinx extension for the hybridrec book (loaded through ``_config.yml``).

Two things the stock Jupyter Book 1 build gets wrong for this book:

* **Bookkeeping on the page.** Chapters glue every number the prose cites with
  ``record("name", value)``; those calls are for the build and the tests, not
  for the reader. :func:`strip_bookkeeping` removes them from the *rendered*
  code cells only (the notebooks and their downloads keep them), and drops a
  code cell whose source is nothing but bookkeeping while keeping its output.
* **A script emitted twice.** ``sphinx_thebe`` registers its configuration
  script (``const THEBE_JS_URL = ...``) once per build environment read, and
  Jupyter Book's pipeline registers it again, so every page threw
  ``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``.
  :func:`dedupe_scripts` keeps the first copy of each script.
* **Links to the API reference.** :func:`link_api_names` turns an inline code
  name in the prose (```MixedHybrid```, ```hybridrec_ref.fusion.mixed```)
  into a link to its entry in the generated API appendix when the name is
  documented there and unambiguous, so every chapter links to the reference.
* **Plain-text docstrings.** The package's docstrings are written for
  ``help()``, not as reStructuredText (``|x_u|^2``, ``item_factors_``).
  :func:`safe_docstring` keeps a docstring as reST when docutils parses it
  cleanly and shows it verbatim otherwise, so the API appendix builds with
  warnings as errors whatever a docstring contains.
* **Bibliography labels.** The default "alpha" labels of the reference list read
  like ``[JarvelinKekalainen02]`` while the text cites "(Järvelin and
  Kekäläinen, 2002)". :class:`AuthorYearLabels` labels the list the way the text
  cites (``bibtex_default_style: authoryear`` in ``_config.yml``).
"""

from __future__ import annotations

import ast

from docutils import nodes

BOOKKEEPING = {"record"}


def _is_bookkeeping(stmt: ast.stmt) -> bool:
    """``record(...)`` as a statement, or an import of ``record`` alone."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        f = stmt.value.func
        return isinstance(f, ast.Name) and f.id in BOOKKEEPING
    if isinstance(stmt, ast.ImportFrom):
        return all(a.name in BOOKKEEPING for a in stmt.names)
    return False


def strip_source(source: str) -> str:
    """``source`` without its top-level bookkeeping statements (unparsable code is kept)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines()
    drop: set[int] = set()

    def visit(body):
        for stmt in body:
            if _is_bookkeeping(stmt):
                drop.update(range(stmt.lineno - 1, stmt.end_lineno))
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and inner and not isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
                    kept = [s for s in inner if not _is_bookkeeping(s)]
                    if kept:  # never leave a block without a body
                        visit(inner)

    visit(tree.body)
    kept = [line for i, line in enumerate(lines) if i not in drop]
    while kept and not kept[-1].strip():
        kept.pop()
    # collapse the blank lines a removal leaves behind
    out: list[str] = []
    for line in kept:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    while out and not out[0].strip():
        out.pop(0)
    return "\n".join(out)


def strip_bookkeeping(app, doctree) -> None:
    """Remove ``record(...)`` lines from rendered notebook code cells."""
    for container in list(doctree.findall(nodes.container)):
        if container.get("nb_element") != "cell_code_source":
            continue
        for block in list(container.findall(nodes.literal_block)):
            text = block.astext()
            new = strip_source(text)
            if new == text:
                continue
            if new.strip():
                block.children = [nodes.Text(new)]
                block.rawsource = new
            else:
                container.parent.remove(container)
                break


def dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Keep the first of identical ``<script>`` entries (same file, same body)."""
    files = context.get("script_files")
    if not files:
        return
    seen, unique = set(), []
    for js in files:
        # the copies differ in how "no file" is spelled (None or ""): compare what the browser sees
        key = (getattr(js, "filename", None) or "", repr(sorted(getattr(js, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    files[:] = unique


def _parses_cleanly(text: str) -> bool:
    import io

    from docutils.core import publish_doctree

    import re

    # Sphinx's roles (:class:`...`) are unknown to plain docutils; check them as plain `text`
    text = re.sub(r":(?:py:)?[a-z]+:`", "`", text)
    # parsed nested, as autodoc does: a section title inside a docstring is an error there
    text = ".. container::\n\n" + "\n".join("   " + line if line.strip() else "" for line in text.splitlines())
    stream = io.StringIO()
    try:
        publish_doctree(text, settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": stream,
                                                  "file_insertion_enabled": False, "raw_enabled": False})
    except Exception:
        return False
    return not stream.getvalue()


def safe_docstring(app, what, name, obj, options, lines) -> None:
    """A docstring that is not clean reST is shown as a literal block (see the module docstring)."""
    if not lines or _parses_cleanly("\n".join(lines)):
        return
    body = ["    " + line if line.strip() else "" for line in lines]
    lines[:] = ["::", ""] + body + [""]


def _api_targets(app) -> dict:
    """Short and full names of documented classes, functions and modules -> (docname, anchor)."""
    cached = getattr(app, "_hybridrec_api_targets", None)
    if cached is not None:
        return cached
    domain = app.env.get_domain("py")
    by_short: dict[str, list] = {}
    full: dict[str, tuple] = {}
    for name, entry in domain.objects.items():
        if not name.startswith("hybridrec_ref") or entry.objtype not in ("class", "function", "module"):
            continue
        target = (entry.docname, entry.node_id)
        full[name] = target
        if entry.objtype != "module":
            by_short.setdefault(name.rsplit(".", 1)[-1], []).append(target)
    targets = dict(full)
    targets.update({short: t[0] for short, t in by_short.items() if len(set(t)) == 1})
    app._hybridrec_api_targets = targets
    return targets


def link_api_names(app, doctree, docname) -> None:
    """Wrap inline ``literal`` names of documented package objects in links to the API page."""
    if app.builder.format != "html":
        return
    targets = _api_targets(app)
    if not targets:
        return
    from sphinx import addnodes

    for lit in list(doctree.findall(nodes.literal)):
        name = lit.astext().strip()
        if name.endswith("()"):
            name = name[:-2]
        target = targets.get(name)
        if target is None or target[0] == docname:
            continue
        parent = lit.parent
        if isinstance(parent, (nodes.reference, nodes.title, addnodes.desc_signature, nodes.literal_block)):
            continue
        if any(isinstance(a, (nodes.reference, addnodes.desc)) for a in _ancestors(lit)):
            continue
        uri = app.builder.get_relative_uri(docname, target[0]) + "#" + target[1]
        ref = nodes.reference("", "", internal=True, refuri=uri, reftitle=f"API reference: {name}")
        parent.replace(lit, ref)
        ref.append(lit)


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _register_bibliography_style() -> None:
    from pybtex.plugin import register_plugin
    from pybtex.richtext import Text
    from pybtex.style.formatting.plain import Style as PlainStyle
    from pybtex.style.labels import BaseLabelStyle

    def last(person) -> str:
        return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")

    class AuthorYearLabels(BaseLabelStyle):
        """``Author, year``, ``A and B, year`` or ``A et al., year`` (editors when no authors)."""

        def format_labels(self, sorted_entries):
            seen: dict[str, int] = {}
            for entry in sorted_entries:
                people = entry.persons.get("author") or entry.persons.get("editor") or []
                names = [last(p) for p in people]
                who = (names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2
                       else f"{names[0]} et al." if names else entry.fields.get("title", entry.key))
                label = f"{who}, {entry.fields.get('year', 'n.d.')}"
                seen[label] = seen.get(label, 0) + 1
                yield label if seen[label] == 1 else f"{label}{chr(ord('a') + seen[label] - 1)}"

    class AuthorYearStyle(PlainStyle):
        default_label_style = AuthorYearLabels

    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle, force=True)


def _add_static(app, config) -> None:
    """Serve ``static/hybridrec.css`` (code that wraps, tables that fit) with every page."""
    from pathlib import Path

    config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    _register_bibliography_style()
    app.connect("config-inited", _add_static)
    app.connect("doctree-resolved", link_api_names)
    app.connect("autodoc-process-docstring", safe_docstring, priority=900)  # after napoleon
    app.add_css_file("hybridrec.css")
    app.connect("doctree-read", strip_bookkeeping)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
