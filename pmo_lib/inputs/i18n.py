"""The reports' language: one place for translated words and local number and date formats.

``pmo.yaml`` names the language (``language: de``) and, optionally, the locale whose formats
the reports use (``locale: de-CH``; by default the language's main locale, see
:data:`MAIN_LOCALES`). :func:`pmo_lib.load_workspace` makes them current with
:func:`activate`, so every notebook kernel that loads its workspace speaks its language;
:func:`using` sets them for a block (tests, a renderer, a script handling several clients).

Words go through gettext catalogues, ``pmo_lib/locale/<language>/LC_MESSAGES/pmo.po``,
compiled to ``pmo.mo`` and managed with Babel's ``pybabel extract``, ``update`` and
``compile`` (``make translations``; see the README, "Translating the reports"):

* :func:`_` (also :func:`gettext`) translates a message, :func:`pgettext` one with a context,
  and :func:`ngettext` chooses the plural form for a count by the language's CLDR rules.
  Messages take named placeholders filled with ``str.format`` after translation, so a
  translator may reorder the words: ``ngettext("{count} week", "{count} weeks", n).format(count=n)``.
* :func:`N_` marks a message for extraction without translating it (module constants whose
  text is translated where it is shown).
* A message without a translation stays English.

Numbers, money, percentages and dates come from Babel's CLDR data (:func:`number`,
:func:`money`, :func:`percent`, :func:`date`). In English without a ``locale`` they are the
kit's long-standing formats (``2,073,516``, ``EUR 2,073,516``, ``2027-05-15``), byte for byte.

Translation is presentation only: the analysis and anything :func:`pmo_lib.record` writes
stay English, so a cycle's results are the same whatever the language.
"""
from __future__ import annotations

import contextlib
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar, cast

if TYPE_CHECKING:  # Babel loads its CLDR data lazily; English output never needs it
    from babel import Locale
    from babel.support import NullTranslations

#: The catalogues' folder: ``<language>/LC_MESSAGES/pmo.po`` and ``pmo.mo``, and the template ``pmo.pot``.
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "pmo"
#: The language of the kit's own words, which needs no catalogue.
SOURCE_LANGUAGE = "en"
#: The locale whose formats a language uses when pmo.yaml names no ``locale``; other languages use
#: Babel's data for the bare language (``it``). English keeps the kit's own formats unless a locale is set.
MAIN_LOCALES = {"de": "de_DE", "fr": "fr_FR"}

F = TypeVar("F", bound=Callable[..., Any])
_state: dict[str, Any] = {"language": SOURCE_LANGUAGE, "locale": None}


# --- the current language --------------------------------------------------------------------------------------

def languages() -> list[str]:
    """The languages the kit speaks: English and every language with a catalogue, sorted."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted(found | {SOURCE_LANGUAGE})


def check_language(language: str) -> str:
    """``language`` if the kit has it, else ValueError naming the languages it has."""
    if language not in languages():
        raise ValueError(f"the reports cannot be written in {language!r}; choose one of {', '.join(languages())} "
                         "(adding a language means adding a catalogue: see the README, 'Translating the reports')")
    return language


def check_locale(locale: str, language: str | None = None) -> str:
    """``locale`` (``de-CH`` or ``de_CH``) if Babel knows it and it belongs to ``language``, else ValueError."""
    from babel import Locale, UnknownLocaleError

    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"unknown locale {locale!r}; give a language and region such as de-CH or fr-BE") from None
    if language is not None and parsed.language != language:
        raise ValueError(f"locale {locale!r} is not a locale of the language {language!r}; "
                         f"give one such as {language}-{(MAIN_LOCALES.get(language) or '_XX').split('_')[1]}")
    return locale


def activate(language: str = SOURCE_LANGUAGE, locale: str | None = None) -> None:
    """Make ``language`` and ``locale`` current for this process (``load_workspace`` does it from pmo.yaml)."""
    _state["language"] = check_language(language or SOURCE_LANGUAGE)
    _state["locale"] = _locale_code(_state["language"], locale)


@contextlib.contextmanager
def using(language: str = SOURCE_LANGUAGE, locale: str | None = None) -> Iterator[None]:
    """Speak ``language`` (formats of ``locale``) inside the block, then go back to the previous ones."""
    saved = dict(_state)
    activate(language, locale)
    try:
        yield
    finally:
        _state.update(saved)


def current_language() -> str:
    """The current language code: ``en``, ``de``, ``fr``."""
    return str(_state["language"])


def current_locale() -> str | None:
    """The current formats' locale (``de_CH``), or None for the kit's own English formats."""
    return _state["locale"]


def _locale_code(language: str, locale: str | None) -> str | None:
    if locale:
        return str(check_locale(locale, language)).replace("-", "_")
    if language == SOURCE_LANGUAGE:
        return None
    if language in MAIN_LOCALES:
        return MAIN_LOCALES[language]
    from babel import Locale

    return str(Locale.parse(language))


@functools.lru_cache(maxsize=None)
def _babel_locale(code: str) -> Locale:
    from babel import Locale

    return Locale.parse(code)


# --- words --------------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (a NullTranslations, which answers in English, when it has none)."""
    from babel.support import NullTranslations, Translations

    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain=DOMAIN)


def gettext(message: str) -> str:
    """``message`` in the current language; English when the catalogue has no translation."""
    if _state["language"] == SOURCE_LANGUAGE or not message:
        return message
    return translations(_state["language"]).gettext(message)


_ = gettext


def N_(message: str) -> str:  # noqa: N802  (gettext's usual name)
    """Mark ``message`` for extraction and return it untranslated; translate it with :func:`_` where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: float) -> str:
    """The form of a message for the count ``n``, by the current language's plural rules (CLDR).

    Fill the placeholders afterwards: ``ngettext("{count} week", "{count} weeks", n).format(count=number(n))``.
    """
    if _state["language"] == SOURCE_LANGUAGE:
        return singular if n == 1 else plural
    return translations(_state["language"]).ngettext(singular, plural, _plural_count(n))


def _plural_count(n: float) -> int:
    """A whole number that takes the same gettext form as ``n``: ``n`` itself when whole; for a fraction, 1 when
    CLDR's rules call it "one" in the current language (French: 0,67 jour, 1,5 jour), else 2 (German: 0,67 Tage)."""
    if float(n).is_integer():
        return abs(int(n))  # CLDR's rules read the absolute value: -1 jour, -1 Tag
    return 1 if _babel_locale(_state["locale"] or _state["language"]).plural_form(abs(float(n))) == "one" else 2


def semicolon() -> str:
    """The separator between the items of a list in prose, ``"; "``, in the current language (French sets a narrow
    no-break space before it)."""
    return pgettext("list separator", "; ")


def pgettext(context: str, message: str) -> str:
    """``message`` translated in a context, for one English word that needs two translations."""
    if _state["language"] == SOURCE_LANGUAGE:
        return message
    return str(translations(_state["language"]).pgettext(context, message))


def in_source_language(function: F) -> F:
    """Run ``function`` in English with the kit's own formats: for tables whose text is recorded as a result
    (the exception register), so a cycle's results are the same whatever the report's language."""
    @functools.wraps(function)
    def english(*args: Any, **kwargs: Any) -> Any:
        with using(SOURCE_LANGUAGE):
            return function(*args, **kwargs)
    return cast(F, english)


def translated_columns(frame, *columns: str):
    """A copy of ``frame`` whose text ``columns`` are translated, for display (never record the copy)."""
    if _state["language"] == SOURCE_LANGUAGE:
        return frame
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = out[column].map(lambda v: gettext(v) if isinstance(v, str) else v)
    return out


# --- recorded texts (the register's descriptions and reasons) ------------------------------------------------
# A recorded table holds its texts in English, so a cycle's results are the same in every language. Its texts are
# made with say() and nsay(): each is a Text, a str whose value is the English, that also keeps its message (the
# msgid and its arguments, as plain JSON). The reports show a Text with shown(), which says the message again in
# the report's language with the locale's formats. record() keeps the messages beside the CSV (name.texts.json)
# and read_result() puts them back, so a report that reads another notebook's results speaks its language too.
#
# A message is a JSON list: ["_", msgid, args], ["n", singular, plural, count, args] or ["j", separator, parts].
# An argument is a str (client data, shown as it is), a message (a word or phrase of the kit), or a value to
# format: {"number": v, "decimals": d, "sign": b}, {"percent": v, "decimals": d, "sign": b},
# {"money": v, "currency": c}, {"date": "YYYY-MM-DD"}, or {"call": name, "args": {...}} for a formatter
# registered with formatter() (a KPI's value in its unit).

_FORMATTERS: dict[str, Callable[..., str]] = {}


class Text(str):
    """A recorded text: the English as a string, and the message to say it in any language (:func:`shown`)."""

    message: list  # (a str subtype can have no __slots__)

    def __new__(cls, message: list, english: str | None = None) -> Text:
        if english is None:
            with using(SOURCE_LANGUAGE):
                english = _say(message)
        self = super().__new__(cls, english)
        self.message = message
        return self

    def __reduce__(self) -> tuple:  # pickled as itself (Dask, worker processes), not as a plain str
        return (Text, (self.message, str(self)))

    def shown(self) -> str:
        """The text in the current language, with its formats."""
        if _state["language"] == SOURCE_LANGUAGE and _state["locale"] is None:
            return str(self)
        return _say(self.message)


def _argument(value: Any) -> Any:
    """An argument as plain JSON: a Text as its message, NumPy scalars as Python's, NaN as None."""
    if isinstance(value, Text):
        return value.message
    if isinstance(value, dict):
        return {str(k): _argument(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a NumPy scalar
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


def say(message: str, **args: Any) -> Text:
    """A recorded text: ``message`` (a msgid with named placeholders) filled with ``args``.

    ``args`` are client data (str, shown as they are), other recorded texts, or values to format in the report's
    locale: :func:`a_number`, :func:`a_percent`, :func:`an_amount`, :func:`a_date`, :func:`a_call`.
    """
    return Text(["_", message, {k: _argument(v) for k, v in args.items()}])


def nsay(singular: str, plural: str, n: float, **args: Any) -> Text:
    """:func:`say` with the plural form for the count ``n``; ``{count}`` is ``n`` as a number unless given."""
    args.setdefault("count", a_number(n, 0 if float(n).is_integer() else 1))
    return Text(["n", singular, plural, float(n) if not float(n).is_integer() else int(n),
                 {k: _argument(v) for k, v in args.items()}])


def join_texts(separator: str, parts: Any) -> Text:
    """Recorded texts (or client strings) joined by ``separator`` (``"; "``), each said in the report's language."""
    return Text(["j", separator, [_argument(p) for p in parts]])


def a_number(value: float, decimals: int = 0, *, sign: bool = False) -> dict:
    """An argument of :func:`say`: a number in the locale's format (:func:`number`)."""
    return {"number": _argument(float(value)), "decimals": decimals, "sign": sign}


def a_percent(value: float, decimals: int = 0, *, sign: bool = False) -> dict:
    """An argument of :func:`say`: a share as a percentage (:func:`percent`)."""
    return {"percent": _argument(float(value)), "decimals": decimals, "sign": sign}


def an_amount(value: float, currency: str) -> dict:
    """An argument of :func:`say`: money in the kit's English format or the locale's (:func:`money`)."""
    return {"money": _argument(float(value)), "currency": currency}


def a_date(value: Any) -> dict:
    """An argument of :func:`say`: a date (:func:`date`)."""
    import pandas as pd

    return {"date": None if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"}


def a_call(name: str, **args: Any) -> dict:
    """An argument of :func:`say`: the text a formatter registered with :func:`formatter` gives for ``args``."""
    return {"call": name, "args": {k: _argument(v) for k, v in args.items()}}


def formatter(name: str) -> Callable[[F], F]:
    """Register a function that formats an argument of :func:`say` (called with the keyword arguments given to
    :func:`a_call`, in the language being spoken)."""
    def register(function: F) -> F:
        _FORMATTERS[name] = function
        return function
    return register


def _value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return _say(value)
    if value is None:
        return ""
    if "number" in value:
        return "" if value["number"] is None else number(value["number"], value["decimals"], sign=value["sign"])
    if "percent" in value:
        return "" if value["percent"] is None else percent(value["percent"], value["decimals"], sign=value["sign"])
    if "money" in value:
        return "" if value["money"] is None else money(value["money"], value["currency"])
    if "date" in value:
        return date(value["date"])
    if "call" in value:  # registered by the module that records it (the KPI formatters: reporting.report)
        return _FORMATTERS[value["call"]](**value["args"])
    raise ValueError(f"not a recorded text's argument: {value!r}")


def _say(message: list) -> str:
    kind = message[0]
    if kind == "j":
        return (semicolon() if message[1] == "; " else message[1]).join(_value(part) for part in message[2])
    if kind == "_":
        words, args = (gettext(message[1]) if message[1] else ""), message[2]
    elif kind == "n":
        words, args = ngettext(message[1], message[2], message[3]), message[4]
    else:
        raise ValueError(f"not a recorded text: {message!r}")
    return words.format(**{k: _value(v) for k, v in args.items()}) if args else words


def shown(value: Any) -> Any:
    """A value for display: a recorded :class:`Text` said in the current language; anything else as it is."""
    return value.shown() if isinstance(value, Text) else value


def texts_of(frame) -> dict[str, dict[str, list]]:
    """The messages of a frame's recorded texts, by column and row position (for :func:`pmo_lib.record`)."""
    found: dict[str, dict[str, list]] = {}
    for column in frame.columns:
        if frame[column].dtype.kind not in "OT":  # object or str
            continue
        cells = {str(i): v.message for i, v in enumerate(frame[column]) if isinstance(v, Text)}
        if cells:
            found[str(column)] = cells
    return found


def with_texts(frame, texts: dict[str, dict[str, list]]):
    """``frame`` (read from a CSV) with its recorded texts made :class:`Text` again from ``texts``."""
    import pandas as pd

    for column, cells in texts.items():
        if column not in frame.columns:
            continue
        values = frame[column].astype(object).tolist()
        for position, message in cells.items():
            i = int(position)
            if i < len(values) and isinstance(values[i], str):
                values[i] = Text(message, values[i])
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame


# --- markdown (the notebooks' prose) ----------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6}\s+)(.+?)\s*$")
_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)(.+)$")


def markdown_units(source: str) -> list[tuple[str, str]]:
    """A markdown cell cut into the pieces a translator sees: ``(prefix, text)`` pairs, ``text`` "" for a separator.

    A heading's text, each list item and each paragraph are one message; the prefix keeps
    the heading's ``##`` or the item's ``-``. The extractor (:mod:`pmo_lib.inputs.i18n_extract`)
    and :func:`translate_markdown` cut a cell the same way, so a translation always fits.
    """
    units: list[tuple[str, str]] = []
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            units.append(("", "\n".join(paragraph)))
            paragraph.clear()

    for line in source.split("\n"):
        heading, item = _HEADING.match(line), _ITEM.match(line)
        if not line.strip():
            close()
            units.append(("", ""))
        elif heading or item:
            close()
            match = heading or item
            assert match is not None
            units.append((match.group(1), match.group(2)))
        elif units and units[-1][1] and _ITEM.match(units[-1][0] + "x") and not paragraph:
            units[-1] = (units[-1][0], units[-1][1] + "\n" + line)  # an item's continuation line
        else:
            paragraph.append(line)
    close()
    return units


def markdown_messages(source: str) -> list[str]:
    """The messages of a markdown cell, in order (see :func:`markdown_units`)."""
    return [text for _, text in markdown_units(source) if text.strip()]


def translate_markdown(source: str) -> str:
    """A markdown cell in the current language, piece by piece; English where a piece has no translation."""
    if _state["language"] == SOURCE_LANGUAGE:
        return source
    return "\n".join(prefix + gettext(text) if text else "" for prefix, text in markdown_units(source))


# --- numbers and dates ------------------------------------------------------------------------------------------

def _pattern(kind: str, decimals: int, code: str):
    from babel.numbers import parse_pattern

    loc = _babel_locale(code)
    formats = {"decimal": loc.decimal_formats, "percent": loc.percent_formats, "currency": loc.currency_formats}[kind]
    pattern = parse_pattern(formats[None] if None in formats else formats["standard"])
    pattern.frac_prec = (decimals, decimals)
    return pattern


def _apply(pattern, value: float, code: str, **options: Any) -> str:
    """``pattern`` applied to ``value`` in locale ``code``.

    CLDR 46+ groups Swiss numbers with an ASCII apostrophe (de-CH ``2'073'516``), which Babel's
    pattern formatter then strips as a quoting character (``2073516``); such a locale is grouped
    here with the typographic apostrophe U+2019, as Swiss typesetting writes it (``2’073’516``).
    """
    from babel.numbers import get_group_symbol

    locale = _babel_locale(code)
    if get_group_symbol(locale) != "'" or not options.get("group_separator", True):
        return str(pattern.apply(value, locale, **options))
    plain = str(pattern.apply(value, locale, **{**options, "group_separator": False}))
    size = pattern.grouping[0]
    return re.sub(r"\d{%d,}" % (size + 1), lambda m: "{:,}".format(int(m.group())).replace(",", "\u2019"), plain,
                  count=1)


def _signed(text: str, value: float, sign: bool, code: str) -> str:
    if sign and value > 0:
        from babel.numbers import get_plus_sign_symbol

        return get_plus_sign_symbol(_babel_locale(code)) + text
    return text


def number(value: float, decimals: int = 0, *, sign: bool = False, grouping: bool = True) -> str:
    """``value`` with ``decimals`` decimals in the current locale: ``1,234.5`` (en), ``1.234,5`` (de), ``1 234,5`` (fr)."""
    code = _state["locale"]
    if code is None:
        return f"{value:{'+' if sign else ''}{',' if grouping else ''}.{decimals}f}"
    text = _apply(_pattern("decimal", decimals, code), value, code, group_separator=grouping)
    return _signed(text, value, sign, code)


def percent(value: float, decimals: int = 0, *, sign: bool = False) -> str:
    """A share as a percentage: ``12%`` (en), ``12 %`` (de, fr, with a no-break space)."""
    code = _state["locale"]
    if code is None:
        return f"{value:{'+' if sign else ''}.{decimals}%}"
    return _signed(_apply(_pattern("percent", decimals, code), value, code), value, sign, code)


def money(value: float, currency: str, decimals: int = 0) -> str:
    """An amount of money: ``EUR 2,073,516`` (en), ``2.073.516 €`` (de), ``2 073 516 €`` (fr), ``€ 2’073’516`` (de-CH)."""
    code = _state["locale"]
    if code is None:
        text = f"{value:,.{decimals}f}"
        return f"{currency}\u00a0{text}" if currency else text
    if not currency:
        return number(value, decimals)
    return _apply(_pattern("currency", decimals, code), value, code, currency=currency, currency_digits=False)


def date(value: Any, *, form: str = "medium") -> str:
    """A date: ``2027-05-15`` (en), ``15.05.2027`` (de), ``15 mai 2027`` (fr); ``form`` is Babel's (short, medium, long)."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "n/a" if _state["language"] == SOURCE_LANGUAGE else gettext("n/a")
    stamp = pd.Timestamp(value)
    code = _state["locale"]
    if code is None:
        return f"{stamp:%Y-%m-%d}"
    from babel.dates import format_date

    return format_date(stamp.date(), format=form, locale=_babel_locale(code))


def decimal_symbol() -> str:
    """The current locale's decimal mark (``.`` in English)."""
    code = _state["locale"]
    if code is None:
        return "."
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(_babel_locale(code))


def group_symbol() -> str:
    """The current locale's thousands separator (``,`` in English)."""
    code = _state["locale"]
    if code is None:
        return ","
    from babel.numbers import get_group_symbol

    return get_group_symbol(_babel_locale(code))


_SIMPLE_SPEC = re.compile(r"^\{(?:0)?:(?P<sign>\+?)(?P<comma>,?)\.(?P<places>\d+)(?P<type>[f%])\}$")


def format_spec(value: float, fmt: str) -> str | None:
    """``fmt`` (``"{:,.0f}"``, ``"{:.1%}"``, ``"{:+.2f}"``) applied in the current locale, or None for another pattern.

    In English (no locale) it is ``fmt.format(value)``.
    """
    if _state["locale"] is None:
        return fmt.format(value)
    spec = _SIMPLE_SPEC.fullmatch(fmt.strip())
    if spec is None:
        return None
    places, sign = int(spec.group("places")), bool(spec.group("sign"))
    if spec.group("type") == "%":
        return percent(value, places, sign=sign)
    return number(value, places, sign=sign, grouping=bool(spec.group("comma")))
