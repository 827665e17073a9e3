"""Helpers for the language tests: the text a reader sees on a page, and the kit's English a page must not show."""
from __future__ import annotations

import html
import html.parser
import inspect
import re

from babel.messages.pofile import read_po

from pmo_lib.inputs import i18n

_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # ASCII white space only: the locale's no-break spaces stay as they are


class _Texts(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(_SPACES.sub(" ", data.strip()))


def page_texts(page: str) -> list[str]:
    """Each run of text of an HTML page, white space collapsed."""
    parser = _Texts()
    parser.feed(page)
    return parser.texts


def visible(page: str) -> str:
    """The visible text of an HTML page's body (no style or script) as one string."""
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S)
    return _SPACES.sub(" ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def english_pieces(language: str = "de", sources: tuple[str, ...] | None = None, *,
                   narrative: tuple[str, ...] = ()) -> dict[str, str]:
    """The kit's English as a page could show it: every catalogue message (or only those of ``sources``, files or
    the start of their paths, and of the ``narrative`` functions in narrative.py), cut into the literal pieces
    between its placeholders long enough to be sentences or labels (8 characters or more, two words or more;
    markup, Markdown links and table rows cut out), with the file each comes from. A piece the translation keeps
    as it is ("Net Promoter Score") is not English on the translated page and is left out."""
    from pmo_lib.reporting import narrative as module

    lines: set[int] = set()
    for name in narrative:
        source, start = inspect.getsourcelines(getattr(module, name))
        lines |= set(range(start, start + len(source)))
    catalogue = read_po((i18n.LOCALE_DIR / language / "LC_MESSAGES" / "pmo.po").open("rb"), locale=language)
    pieces: dict[str, str] = {}
    for message in catalogue:
        if not message.id:
            continue
        if sources is not None and not any(f.startswith(sources) or (f == "pmo_lib/reporting/narrative.py"
                                                                    and line in lines)
                                           for f, line in message.locations):
            continue
        translated = " ".join(message.string if isinstance(message.string, (tuple, list)) else (message.string,))
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # a Markdown link's words
            text = re.sub(r"\*+|#|<[^>]+>", "", text)
            for piece in re.split(r"\{[a-z_0-9]+\}", text):
                piece = piece.strip(" .,:;()-\n")
                if len(piece) >= 8 and " " in piece and "|" not in piece and piece not in translated:
                    pieces.setdefault(piece, message.locations[0][0] if message.locations else "")
    return pieces
