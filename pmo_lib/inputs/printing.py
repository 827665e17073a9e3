"""Printing HTML to an A4 PDF with WeasyPrint, and embedding a logo in a page.

The questionnaire (an input the kit sends out) and the reports both print, so the
printer sits at the bottom layer; :mod:`pmo_lib.reporting.render` re-exports it.
"""
from __future__ import annotations

import base64
import gc
import mimetypes
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from .resources import TEMPLATES_DIR

if TYPE_CHECKING:  # WeasyPrint loads slowly; only printing needs it
    from weasyprint.text.fonts import FontConfiguration


def logo_data_uri(path: Path | None) -> str | None:
    """Embed a logo file as a data URI, so the HTML needs no other file."""
    if path is None:
        return None
    mime = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def render_pdf(html: str, target: str | Path) -> Path:
    """Print an HTML report to an A4 PDF with WeasyPrint."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    target = Path(target)
    with _collector_paused():
        HTML(string=for_print(html), base_url=str(TEMPLATES_DIR)).write_pdf(target, font_config=_fonts())
    return target


_FONTS: dict[int, FontConfiguration] = {}


def _fonts() -> FontConfiguration:
    """One font configuration for every page a process prints, so fonts found and measured once serve them all.

    WeasyPrint otherwise loads Fontconfig's configuration and a fresh Pango font map for each document.
    The reports declare no ``@font-face``, so nothing is added to it from one document to the next. A forked
    process makes its own.
    """
    from weasyprint.text.fonts import FontConfiguration

    pid = os.getpid()
    if pid not in _FONTS:
        _FONTS.clear()
        _FONTS[pid] = FontConfiguration()
    return _FONTS[pid]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while WeasyPrint prints, one sweep of what printing left afterwards.

    Printing a report allocates about a million objects (boxes, styles, text runs). The collector, run every few
    hundred allocations, walks the worker's whole heap again and again meanwhile: a fifth of the printing time.
    Memory does not grow by it (a report's peak is the same), and the sweep frees the printing's garbage at once.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)  # everything printing allocated is still in the youngest generation


def for_print(html: str) -> str:
    """The page as WeasyPrint reads it: the same page, cheaper to print (see :func:`svg_as_images` and
    :func:`one_stylesheet`)."""
    return one_stylesheet(svg_as_images(html))


# --- inline SVG charts print as images ------------------------------------------------------------------------
# WeasyPrint draws an inline <svg> and an <img> of the same SVG with the same code, but it also parses, cascades
# the page's CSS over and builds styles for every element of an inline chart (thousands of paths and groups per
# report), which then go unused. As an image the chart is parsed once as XML and drawn: about half of a report's
# PDF time less, the same page. The HTML keeps its inline charts; only what WeasyPrint reads changes.

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)([^>]*)>")
_ATTRIBUTE = re.compile(r"""(\s)([A-Za-z][\w:.-]*)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?""")
#: HTML lower-cases the names of SVG elements and attributes (nbconvert's HTML passes through an HTML parser);
#: XML needs them as SVG spells them. The HTML standard's tables ("adjust SVG attributes", "adjust SVG tag names").
SVG_TAG_NAMES = {name.lower(): name for name in (
    "altGlyph", "altGlyphDef", "altGlyphItem", "animateColor", "animateMotion", "animateTransform", "clipPath",
    "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting",
    "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
    "feGaussianBlur", "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence", "foreignObject", "glyphRef", "linearGradient",
    "radialGradient", "textPath")}
SVG_ATTRIBUTE_NAMES = {name.lower(): name for name in (
    "attributeName", "attributeType", "baseFrequency", "baseProfile", "calcMode", "clipPathUnits",
    "contentScriptType", "contentStyleType", "diffuseConstant", "edgeMode", "externalResourcesRequired",
    "filterRes", "filterUnits", "glyphRef", "gradientTransform", "gradientUnits", "kernelMatrix",
    "kernelUnitLength", "keyPoints", "keySplines", "keyTimes", "lengthAdjust", "limitingConeAngle",
    "markerHeight", "markerUnits", "markerWidth", "maskContentUnits", "maskUnits", "numOctaves", "pathLength",
    "patternContentUnits", "patternTransform", "patternUnits", "pointsAtX", "pointsAtY", "pointsAtZ",
    "preserveAlpha", "preserveAspectRatio", "primitiveUnits", "refX", "refY", "repeatCount", "repeatDur",
    "requiredExtensions", "requiredFeatures", "specularConstant", "specularExponent", "spreadMethod",
    "startOffset", "stdDeviation", "stitchTiles", "surfaceScale", "systemLanguage", "tableValues", "targetX",
    "targetY", "textLength", "viewBox", "viewTarget", "xChannelSelector", "yChannelSelector", "zoomAndPan")}
#: Attributes of the <svg> element that style or name the box it prints in: the <img> keeps them.
_BOX_ATTRIBUTES = ("class", "style", "id")


def _svg_case(match: re.Match) -> str:
    closing, name, rest = match.groups()
    rest = _ATTRIBUTE.sub(lambda m: m.group(1) + SVG_ATTRIBUTE_NAMES.get(m.group(2), m.group(2)) + (m.group(3) or ""),
                        rest)
    return f"<{closing}{SVG_TAG_NAMES.get(name, name)}{rest}>"


def _svg_image(match: re.Match) -> str:
    svg = _TAG.sub(_svg_case, match.group(0))
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError:  # not well-formed XML (an HTML entity, say): print it inline, as before
        return match.group(0)
    kept = "".join(f' {name}="{_attribute(root.get(name))}"' for name in _BOX_ATTRIBUTES if root.get(name))
    alt = root.get("aria-label") or ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img{kept} alt="{_attribute(alt)}" src="data:image/svg+xml;base64,{data}">'


def _attribute(value: str | None) -> str:
    return (value or "").replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def svg_as_images(html: str) -> str:
    """The page with each inline ``<svg>`` as an ``<img>`` of the same SVG, for printing.

    WeasyPrint draws both alike; the image skips styling every element of the chart as part of the page.
    A chart that is not well-formed XML stays inline.
    """
    return _SVG.sub(_svg_image, html)


# --- one stylesheet -------------------------------------------------------------------------------------------
# Each table brings its own <style> (scoped to its id, so JupyterLab shows it as the report does). WeasyPrint
# matches every element against every stylesheet, one after the other: a report with 30 tables matches each
# element 30 times. The same rules in one stylesheet, in the same order, cascade the same way.

_STYLE = re.compile(r'<style(?:\s+type="text/css")?\s*>(.*?)</style>', re.S | re.I)
#: At-rules that must open a stylesheet: a block holding one keeps its own sheet.
_LEADING_AT_RULE = re.compile(r"@(import|charset|namespace)\b", re.I)


def one_stylesheet(html: str) -> str:
    """The page with the contents of all its ``<style>`` elements joined, in page order, into the first one.

    Styles inside an inline ``<svg>`` belong to the chart and stay; so does a block with a ``media`` attribute
    (not matched) or an ``@import``. The cascade is unchanged: later rules still win ties over earlier ones.
    """
    charts = [m.span() for m in _SVG.finditer(html)]
    blocks = [m for m in _STYLE.finditer(html)
              if not _LEADING_AT_RULE.search(m.group(1)) and not any(a <= m.start() < b for a, b in charts)]
    if len(blocks) < 2:
        return html
    joined = "\n".join(m.group(1) for m in blocks)
    parts, last = [], 0
    for i, m in enumerate(blocks):
        parts.append(html[last:m.start(1)] if i == 0 else html[last:m.start()])
        parts.append(joined if i == 0 else "")
        last = m.end(1) if i == 0 else m.end()
    parts.append(html[last:])
    return "".join(parts)
