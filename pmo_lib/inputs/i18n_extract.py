"""Babel extraction methods for the kit's notebooks and YAML knowledge (named in ``babel.cfg``).

``pybabel extract -F babel.cfg`` reads Python with Babel's own extractor; these two add

* :func:`extract_notebook`: a notebook's markdown cells, cut into headings, list items and
  paragraphs exactly as the renderer translates them (:func:`pmo_lib.inputs.i18n.markdown_units`),
  and the ``_()``, ``ngettext()``, ``pgettext()`` calls of its code cells (``pmo._("Target")``).
  Cells tagged ``remove-cell`` never reach a client and are skipped.
* :func:`extract_yaml`: the text fields of a YAML knowledge file that the reports show, chosen
  by the ``fields`` option in ``babel.cfg``: dotted key paths where ``*`` matches any key or
  list position and ``~`` stands for the keys of a mapping (``glossary.~`` the terms,
  ``glossary.*`` their meanings). Each message's comment names its path for the translator.
"""
from __future__ import annotations

import fnmatch
import io
import json
from typing import IO, Any, Collection, Iterator, Mapping

from .i18n import markdown_messages

Extracted = Iterator[tuple[int, str | None, Any, list[str]]]


def extract_notebook(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
                     options: Mapping[str, Any]) -> Extracted:
    """Babel method for ``.ipynb``: markdown pieces as plain messages, code cells as Python."""
    from babel.messages.extract import extract_python

    notebook = json.loads(fileobj.read().decode("utf-8"))
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if "remove-cell" in (cell.get("metadata", {}).get("tags") or []):
            continue
        raw = cell.get("source", "")
        source = "".join(raw) if isinstance(raw, list) else str(raw)
        if cell.get("cell_type") == "markdown":
            for message in markdown_messages(source):
                yield number, None, message, [f"markdown, cell {number} ({cell.get('id', '')})"]
        elif cell.get("cell_type") == "code":
            code = "\n".join(line for line in source.split("\n") if not line.lstrip().startswith(("%", "!")))
            found: Any = extract_python(io.BytesIO(code.encode("utf-8")), keywords, comment_tags, options)  # type: ignore[arg-type]
            for _, funcname, message, comments in found:
                yield number, funcname, message, [f"code, cell {number} ({cell.get('id', '')})", *list(comments)]


def _leaves(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (key path, YAML scalar node) of a composed document; a mapping's keys under ``~``."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield path + ("~",), key
            yield from _leaves(value, path + (str(key.value),))
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            yield from _leaves(value, path + (str(i),))
    elif isinstance(node, yaml.ScalarNode):
        yield path, node


def _matches(path: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    return len(path) == len(pattern) and all(p == q or (q != "~" and p != "~" and fnmatch.fnmatchcase(p, q))
                                             for p, q in zip(path, pattern))


def extract_yaml(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
                 options: Mapping[str, Any]) -> Extracted:
    """Babel method for YAML knowledge: the string values (or keys) at the ``fields`` paths."""
    import yaml

    fields = [tuple(f.split(".")) for f in str(options.get("fields", "")).split()]
    document = yaml.compose(fileobj.read().decode("utf-8-sig"), Loader=yaml.SafeLoader)
    for path, node in _leaves(document, ()):
        if node.tag != "tag:yaml.org,2002:str" or not str(node.value).strip():
            continue
        if any(_matches(path, f) for f in fields):
            yield node.start_mark.line + 1, None, str(node.value), [".".join(path)]
