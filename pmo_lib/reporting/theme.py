"""The house style in one place: palette, status words, readable names of codes, units and numbers.

Charts, tables, narrative and the index ask this module; nothing else defines
a status word, a display name or a number format. Client text never shows a
code such as ``on_hold`` or ``flow_time_p85``, a file name such as
``pmo.yaml`` or a number in scientific notation:

>>> display_name("on_hold")
'On hold'
>>> display_name("flow_time_p85")
'Flow time (85th percentile)'
>>> file_label("pmo.yaml")
'the workspace configuration'
>>> plural(1, "day")
'1 day'
>>> number(-146208.4, "{:.3g}")
'-146,000'
"""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from ..inputs.text import plural  # noqa: F401  (re-exported: the reports count with it)
from ..inputs import i18n
from ..inputs.i18n import N_

# --- palette and status words -------------------------------------------------------------------------------------

PRIMARY = "#1f4e79"
GREY = "#6b6b6b"
STATUS_COLOURS = {"green": "#2e7d32", "amber": "#e69500", "red": "#c62828", "info": "#5c7f9e", "n/a": "#9e9e9e"}
STATUS_WORDS = {"green": N_("On track"), "amber": N_("At risk"), "red": N_("Off track"),
                "info": N_("For information"), "n/a": N_("Not rated")}  # N_: translated where shown (i18n.py)
STATUS_SYMBOLS = {"green": "●", "amber": "▲", "red": "■", "info": "◇", "n/a": "○"}
#: Background and text colour of a status badge (a pill), by status: darker than the chart colours so white
#: text on them is legible; "n/a" and "info" are pale with dark text.
BADGE_COLOURS = {"green": ("#2e7d32", "#fff"), "amber": ("#b26a00", "#fff"), "red": ("#c62828", "#fff"),
                 "info": ("#dbe6f0", "#1f3b57"), "n/a": ("#e0e0e0", "#333")}
#: Border and background of a notice box, by kind; ``info`` takes the primary colour for its border.
NOTICE_COLOURS = {"info": (None, "#f2f5f9"), "warning": ("#b26a00", "#fff6e5")}

# --- readable names of the enumerated values --------------------------------------------------------------------

#: Display names of every enumerated value, by vocabulary. The input vocabularies follow the
#: ``choices`` of :mod:`pmo_lib.inputs.tables`; a test checks that every choice has a name here.
VOCABULARIES: dict[str, dict[str, str]] = {
    "initiative_status": {"proposed": N_("Proposed"), "active": N_("Active"), "on_hold": N_("On hold"),
                          "closed": N_("Closed"), "cancelled": N_("Cancelled")},
    "initiative_kind": {"project": N_("Project"), "product": N_("Product")},
    "raid_kind": {"risk": N_("Risk"), "assumption": N_("Assumption"), "issue": N_("Issue"),
                  "dependency": N_("Dependency")},
    "severity": {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High"), "critical": N_("Critical")},
    "raid_status": {"open": N_("Open"), "closed": N_("Closed")},
    "action_status": {"open": N_("Open"), "done": N_("Done"), "dropped": N_("Dropped")},
    "item_type": {"feature": "Feature", "defect": "Defect", "risk": "Risk", "debt": "Technical debt"},
    "recommendation": {"continue": N_("Continue"), "recover": N_("Recover"), "re-scope": N_("Re-scope"),
                       "stop": N_("Stop")},
    "exception_kind": {"cost": N_("Cost"), "schedule": N_("Schedule"), "delivery": N_("Delivery"),
                       "raid": N_("Risk or issue"), "kpi": N_("Portfolio KPI"), "customer": N_("Customer value"),
                       "benefits": N_("Benefits"), "flow": N_("Flow"), "strategy": N_("Strategy and funding"),
                       "risk": N_("Risk"), "capacity": N_("Capacity")},
    "effort": {"S": N_("Small"), "M": N_("Medium"), "L": N_("Large"), "XL": N_("Very large")},
    "unit": {"ratio": "Ratio", "share": "Percentage", "currency": "Currency", "days": "Days", "count": "Count",
             "points": "Points"},
    "scope": {"portfolio": N_("Portfolio"), "initiative": N_("Initiative")},
    "direction": {"higher": "Higher is better", "lower": "Lower is better"},
    "total": {"total": "Total"},
    "flag": {"true": N_("Yes"), "false": N_("No")},
}

#: Which vocabulary a table column's values come from; ``kpi`` means KPI ids, ``role`` respondent roles.
COLUMN_VOCABULARY: dict[str, tuple[str, ...]] = {
    "status": ("initiative_status", "action_status", "raid_status", "total"),
    "kind": ("initiative_kind", "raid_kind", "exception_kind"),
    "severity": ("severity",),
    "item_type": ("item_type",),
    "recommendation": ("recommendation",),
    "effort": ("effort",),
    "unit": ("unit",),
    "scope": ("scope",),
    "direction": ("direction",),
    "kpi_id": ("kpi",),
    "expected_kpi": ("kpi",),
    "kpi": ("kpi",),
    "role": ("role",),
    "owner_role": ("role",),
    "must_fund": ("flag",),
    "must_stop": ("flag",),
}

#: Files a client may hear about, by what they are to the client.
FILE_LABELS = {
    "pmo.yaml": "the workspace configuration",
    "kpi_catalog.yaml": "the KPI catalogue",
    "maturity_model.yaml": "the maturity model",
    "model.yaml": "the maturity model",
    "playbook.yaml": "the playbook",
    "data.xlsx": "the input workbook",
    "input_workbook.xlsx": "the input workbook",
    "questionnaire.xlsx": "the questionnaire workbook",
    "questionnaire.pdf": "the printable questionnaire",
}

#: Words written in capitals whatever the case they were typed in.
ACRONYMS = {"pmo", "ceo", "cfo", "cio", "cto", "coo", "it", "hr", "kpi", "raid", "vp", "ux", "qa", "ba"}


@functools.lru_cache(maxsize=1)
def _kpi_names() -> dict[str, str]:
    import yaml

    from ..inputs.resources import TEMPLATES_DIR

    path = TEMPLATES_DIR / "kpi_catalog.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        return {}
    return {k["id"]: k["name"] for k in raw.get("kpis", []) if "id" in k and "name" in k}


def kpi_name(kpi_id: str) -> str:
    """The catalogue name of a KPI id (``flow_time_p85`` → ``Flow time (85th percentile)``)."""
    return _kpi_names().get(kpi_id, humanise(kpi_id))


def role_label(role: object) -> str:
    """A respondent or owner role as a client reads it: ``pmo`` → ``PMO``, ``delivery lead`` → ``Delivery lead``."""
    if not isinstance(role, str) or not role.strip():
        return role  # type: ignore[return-value]
    words = [w.upper() if w.lower() in ACRONYMS else w for w in role.strip().replace("_", " ").split()]
    first = words[0]
    words[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(words)


def humanise(code: str) -> str:
    """Last resort for an unknown code: ``median_age_days`` → ``Median age days``."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else text


def display_name(value: object, vocabulary: str | tuple[str, ...] | None = None) -> object:
    """The readable name of an enumerated value, KPI id or file name.

    Parameters
    ----------
    value : object
        A code such as ``on_hold``, ``critical``, ``flow_time_p85`` or ``pmo.yaml``.
        Anything that is not a string (numbers, NaN) is returned unchanged.
    vocabulary : str or tuple of str, optional
        Look only in these vocabularies of :data:`VOCABULARIES` (or ``"kpi"``,
        ``"role"``). Without it every vocabulary is searched.

    Returns
    -------
    object
        The display name; an unknown value is returned unchanged, except that
        a snake_case code is turned into words.
    """
    if not isinstance(value, str):
        return value
    name = _display_name(value, vocabulary)
    return i18n.gettext(name) if isinstance(name, str) else name  # English without a catalogue entry


def _display_name(value: str, vocabulary: str | tuple[str, ...] | None = None) -> object:
    names = (vocabulary,) if isinstance(vocabulary, str) else (vocabulary or _DEFAULT_SEARCH)
    for name in names:
        if name == "kpi":
            if value in _kpi_names():
                return _kpi_names()[value]
        elif name == "role":
            return role_label(value)
        elif name == "file":
            if value in FILE_LABELS:
                return FILE_LABELS[value]
        elif value in VOCABULARIES.get(name, {}):
            return VOCABULARIES[name][value]
    return humanise(value) if _SNAKE.fullmatch(value) else value


def file_label(name: str) -> str:
    """What a file is to a client: ``pmo.yaml`` → ``the workspace configuration``, ``raid.csv`` → ``the RAID table``."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    if base in FILE_LABELS:
        return FILE_LABELS[base]
    stem, _, ext = base.rpartition(".")
    if ext in ("csv", "xlsx") and stem:
        table = "RAID" if stem == "raid" else stem.replace("_", " ")
        return f"the {table} table"
    return base


_DEFAULT_SEARCH = (*(v for v in VOCABULARIES if v != "effort"), "kpi", "file")  # "S" alone is not "Small"
_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


# --- words and numbers --------------------------------------------------------------------------------------------

#: Decimals each unit shows by default; :func:`format_value` adds more only where rounding would mislead.
UNIT_DECIMALS = {"ratio": 2, "share": 0, "currency": 0, "days": 0, "count": 0, "points": 0}
MAX_EXTRA_DECIMALS = 6


def _format_number(value: float, unit: str, decimals: int) -> str:
    if i18n.current_locale() is not None:  # the report's locale (pmo.yaml), by CLDR
        zero = round(value, decimals + (2 if unit == "share" else 0)) == 0  # no "-0 %" or "+0"
        value = 0.0 if zero else value
        return (i18n.percent(value, decimals) if unit == "share" else
                i18n.number(value, decimals, sign=unit == "points"))
    if unit == "share":
        text = f"{value:.{decimals}%}"
    elif unit == "points":
        text = f"{value:+.{decimals}f}"
    else:
        text = f"{value:,.{decimals}f}"
    digits = text.lstrip("+-").replace(",", "").replace("%", "").replace(".", "")
    if set(digits) <= {"0"}:  # no "-0%" or "+0" for a value that rounds to zero
        text = text.lstrip("+-")
    return text


def format_value(value: float, unit: str, currency: str = "", *,
                 versus: float | Sequence[float] | None = None) -> str:
    """Format one KPI value by its unit; NaN shows as n/a.

    Shares as %, currency with thousands separators (and the currency code),
    days with their unit ("1 day", "14 days"); never scientific notation.

    ``versus`` is the number (or numbers) the value is compared with: a
    target, a threshold. When the value would look equal to one of them at
    the unit's usual precision but is not, it gets the decimals it needs to
    differ, so that a line such as "SPI 0.95 is below the threshold 0.95"
    cannot happen. Format the threshold with ``versus=value`` too and the two
    strings have the same precision; rounding keeps their order.
    """
    if pd.isna(value):
        return i18n.gettext("n/a")
    decimals = UNIT_DECIMALS.get(unit, 2)
    given: list[Any] = [] if versus is None else [versus] if np.isscalar(versus) else list(cast(Sequence, versus))
    others = [float(o) for o in given if o is not None and pd.notna(o) and float(o) != float(value)]
    for other in others:
        extra = 0
        while extra < MAX_EXTRA_DECIMALS and (_format_number(value, unit, decimals + extra)
                                             == _format_number(other, unit, decimals + extra)):
            extra += 1
        decimals += extra
    text = _format_number(float(value), unit, decimals)
    if unit == "days":
        shown = 1 if text == "1" else 2 if i18n.current_language() == i18n.SOURCE_LANGUAGE else round(float(value), decimals)
        return i18n.ngettext("{count} day", "{count} days", shown).format(count=text)  # French: -0,67 jour
    if unit == "currency" and currency and i18n.current_locale() is not None:
        return i18n.money(float(value), currency, decimals)
    return f"{currency}\u00a0{text}" if unit == "currency" and currency else text


#: Axis and column labels of the KPI units; money is labelled with the currency code where there is one.
UNIT_LABELS = {"share": N_("share (1 = 100%)"), "ratio": N_("ratio"), "days": N_("days"), "count": N_("items"),
               "points": N_("points"), "currency": N_("money")}  # N_: translated where shown


def unit_label(unit: str, currency: str = "") -> str:
    """Axis label for a KPI unit: ``share (1 = 100%)``, ``days``, the currency code for money."""
    return currency if unit == "currency" and currency else i18n.gettext(UNIT_LABELS[unit]) if unit in UNIT_LABELS else unit


_SPEC = re.compile(r"^(?P<sign>[+\- ]?)(?P<comma>,?)(?:\.(?P<precision>\d+))?(?P<type>[gGeEn]?)$")
_FIELD = re.compile(r"\{(?:0)?:(?P<spec>[^{}]*)\}|\{\}")
SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE][+\-]?\d+")


def significant(value: float, digits: int = 3, *, sign: str = "") -> str:
    """``value`` rounded to ``digits`` significant figures, in plain notation with thousands separators.

    ``{:.3g}`` would print ``-1.46e+05``; this prints ``-146,000``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return i18n.gettext("n/a")
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return f"{value:{sign}.0f}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    rounded = round(value, digits - 1 - magnitude)
    text = f"{rounded:{sign},.{decimals}f}"
    if "." in text:  # like %g: no trailing zeros
        text = text.rstrip("0").rstrip(".")
    return text


def number(value: object, fmt: str = "{:,.2f}") -> str:
    """Format a number with a ``str.format`` pattern, never in scientific notation.

    A ``g``, ``e`` or ``n`` pattern (``"{:.3g}"``, ``"{:+g}"``) is rendered by
    :func:`significant` with the pattern's precision (default 6) and sign;
    any other pattern is used as is, unless its result would still be in
    scientific notation (``"{}"`` of ``1e20``).
    """
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()  # numpy scalars
        except (TypeError, ValueError):
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return fmt.format(value)
    if isinstance(value, float) and math.isnan(value):
        return i18n.gettext("n/a")
    field = _FIELD.fullmatch(fmt.strip())
    spec = _SPEC.fullmatch(field.group("spec") or "") if field else None
    if spec and spec.group("type") in ("g", "G", "e", "E", "n"):
        digits = int(spec.group("precision")) if spec.group("precision") else 6
        return significant(value, max(digits, 1), sign=spec.group("sign").strip())
    text = i18n.format_spec(value, fmt) or fmt.format(value)  # in the report's locale (English: fmt.format)
    return significant(float(value), 6) if SCIENTIFIC.search(text) else text


def plain_formatter(fmt: str):
    """A one-argument callable formatting like ``fmt`` but never in scientific notation (for Stylers)."""
    return functools.partial(number, fmt=fmt)


def relabelled_codes() -> dict[str, str]:
    """Every snake_case code with a display name (enumerated values and KPI ids), for scans and tables."""
    out = {code: name for names in VOCABULARIES.values() for code, name in names.items() if "_" in code}
    out.update({k: v for k, v in _kpi_names().items() if "_" in k})
    return out


def trend_arrow(trend: str) -> str:
    """An arrow and word for a trend, so that direction is not carried by colour alone."""
    arrow, word = {"improving": ("▲", N_("improving")), "worsening": ("▼", N_("worsening")),
                   "no clear trend": ("►", N_("steady")), "rising": ("↑", N_("rising")),
                   "falling": ("↓", N_("falling"))}.get(trend, ("·", N_("too few cycles")))
    return f"{arrow} {i18n.gettext(word)}"
