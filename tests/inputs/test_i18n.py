"""The reports' language (issue 22): local formats by CLDR, plurals, catalogues complete and compiled.

Expected formats are CLDR's (Unicode Common Locale Data Repository, the data Babel ships):
de uses "," as decimal mark and "." to group thousands, with the currency after the number
("#,##0.00 ¤"); fr groups with a narrow no-break space (U+202F) and also puts the currency
after a no-break space (U+00A0); de-CH groups with a right single quotation mark (U+2019).
These are the values published in CLDR's ``main/de.xml``, ``main/fr.xml`` and ``main/de_CH.xml``
(numbers/symbols and currencyFormats), independent of our code.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from pmo_lib import ConfigError, load_config
from pmo_lib.inputs import i18n
from pmo_lib.inputs.i18n_extract import extract_notebook, extract_yaml

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("de", "fr")
NNBSP, NBSP = "\u202f", "\u00a0"


def catalogue(language: str):
    return read_po((i18n.LOCALE_DIR / language / "LC_MESSAGES" / "pmo.po").open("rb"), locale=language)


# --- formats ----------------------------------------------------------------------------------------------------

def test_english_keeps_the_kits_own_formats():
    assert i18n.current_language() == "en" and i18n.current_locale() is None
    assert i18n.number(2073516) == "2,073,516"
    assert i18n.number(1234.5, 1) == "1,234.5"
    assert i18n.money(2073516, "EUR") == f"EUR{NBSP}2,073,516"
    assert i18n.percent(0.125, 1) == "12.5%"
    assert i18n.date("2027-05-15") == "2027-05-15"
    assert i18n.format_spec(0.4567, "{:.1%}") == "45.7%"


def test_german_formats_follow_cldr():
    with i18n.using("de"):
        assert i18n.number(1234.5, 1) == "1.234,5"
        assert i18n.money(2073516, "EUR") == f"2.073.516{NBSP}€"
        assert i18n.percent(0.125, 1) == f"12,5{NBSP}%"
        assert i18n.date("2027-05-15") == "15.05.2027"
        assert i18n.number(3.25, 2, sign=True) == "+3,25"
        assert i18n.format_spec(3.14159, "{:.2f}") == "3,14"
        assert i18n.format_spec(1234567.0, "{:,.0f}") == "1.234.567"


def test_french_groups_with_a_narrow_no_break_space():
    with i18n.using("fr"):
        assert i18n.number(2073516) == f"2{NNBSP}073{NNBSP}516"
        assert i18n.money(2073516, "EUR") == f"2{NNBSP}073{NNBSP}516{NBSP}€"
        assert i18n.number(1234.5, 1) == f"1{NNBSP}234,5"
        assert i18n.date("2027-05-15") == "15 mai 2027"


def test_a_regional_locale_changes_the_formats_not_the_words():
    with i18n.using("de", "de-CH"):
        assert i18n.current_locale() == "de_CH"
        assert i18n.number(2073516) == "2’073’516"
        assert i18n.number(1234.5, 1) == "1’234.5"
        assert i18n.money(2073516, "CHF") == f"CHF{NBSP}2’073’516"
        assert i18n.gettext("Contents") == "Inhalt"
    assert i18n.current_language() == "en"  # using() restores the previous language


def test_the_report_formats_use_the_locale():
    """theme.format_value and theme.number, which every table and sentence use."""
    from pmo_lib.reporting.theme import format_value, number

    assert format_value(2073516, "currency", "EUR") == f"EUR{NBSP}2,073,516"
    with i18n.using("de"):
        assert format_value(2073516, "currency", "EUR") == f"2.073.516{NBSP}€"
        assert format_value(0.947, "share", versus=0.95) == f"94,7{NBSP}%"
        assert format_value(14, "days") == "14 Tage" and format_value(1, "days") == "1 Tag"
        assert number(1234.5, "{:,.1f}") == "1.234,5"


# --- words ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("language, one, two", [("de", "1 Woche", "2 Wochen"), ("fr", "1 semaine", "2 semaines")])
def test_plurals_follow_the_languages_rules(language, one, two):
    with i18n.using(language):
        for n, expected in ((1, one), (2, two)):
            assert i18n.ngettext("{count} week", "{count} weeks", n).format(count=n) == expected


def test_french_counts_zero_as_singular():
    """CLDR's French rule: i = 0,1 is "one" (0 jour), unlike English (0 days)."""
    with i18n.using("fr"):
        assert i18n.ngettext("{count} day", "{count} days", 0).format(count=0) == "0 jour"
    assert i18n.ngettext("{count} day", "{count} days", 0).format(count=0) == "0 days"


def test_a_missing_translation_falls_back_to_english():
    with i18n.using("de"):
        assert i18n.gettext("A sentence no catalogue has.") == "A sentence no catalogue has."
        assert i18n.ngettext("{count} zebra", "{count} zebras", 3).format(count=3) == "3 zebras"


def test_markdown_is_translated_piece_by_piece_and_english_stays_as_written():
    source = "## Guardrails\n\nThe limits within which decisions need no escalation, the thresholds that raise " \
             "an exception, and what happens when one fires.\n\n- Unknown item\n- Another one"
    assert i18n.translate_markdown(source) == source
    with i18n.using("de"):
        out = i18n.translate_markdown(source)
    assert out.startswith("## Leitplanken\n\nDie Grenzen, innerhalb derer")
    assert out.endswith("\n\n- Unknown item\n- Another one")


def test_recorded_tables_are_made_in_english():
    @i18n.in_source_language
    def recorded() -> str:
        return i18n.gettext("Contents") + " " + i18n.number(1234.5, 1)

    with i18n.using("fr"):
        assert recorded() == "Contents 1,234.5"
        assert i18n.current_language() == "fr"


# --- pmo.yaml ---------------------------------------------------------------------------------------------------

def test_pmo_yaml_names_the_language_and_locale(tmp_path):
    (tmp_path / "pmo.yaml").write_text("organisation: Acme\nlanguage: de\nlocale: de-CH\n")
    config = load_config(tmp_path)
    assert (config.language, config.locale) == ("de", "de-CH")
    (tmp_path / "pmo.yaml").write_text("organisation: Acme\n")
    assert (load_config(tmp_path).language, load_config(tmp_path).locale) == ("en", None)


def test_an_unknown_language_or_a_foreign_locale_is_named_with_its_key_line_and_choices(tmp_path):
    (tmp_path / "pmo.yaml").write_text("organisation: Acme\nlanguage: es\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    problem = info.value.problems.iloc[0]
    assert problem["column"] == "language" and problem["row"] == 2 and problem["value"] == "es"
    assert "choose one of de, en, fr" in problem["message"] and str(tmp_path / "pmo.yaml") in problem["file"]
    (tmp_path / "pmo.yaml").write_text("organisation: Acme\nlanguage: de\nlocale: fr-BE\n")
    with pytest.raises(ConfigError, match="not a locale of the language 'de'"):
        load_config(tmp_path)


def test_loading_a_workspace_makes_its_language_current(tiny):
    from pmo_lib import load_workspace

    (tiny / "pmo.yaml").write_text((tiny / "pmo.yaml").read_text() + "language: fr\n")
    try:
        load_workspace(tiny)
        assert (i18n.current_language(), i18n.current_locale()) == ("fr", "fr_FR")
    finally:
        i18n.activate("en")


# --- the catalogues ---------------------------------------------------------------------------------------------

def untranslated(language: str) -> list[str]:
    """Every message of a shipped catalogue without a translation in each of its plural forms, or fuzzy."""
    cat = catalogue(language)
    missing = []
    for message in cat:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or len(forms) < (cat.num_plurals if message.pluralizable else 1) or not all(forms):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


@pytest.mark.parametrize("language", SHIPPED)
def test_the_shipped_catalogues_are_complete(language):
    assert untranslated(language) == []


@pytest.mark.parametrize("language", SHIPPED)
def test_each_catalogue_holds_every_message_of_the_template(language):
    template = {m.id if isinstance(m.id, str) else m.id[0]
                for m in read_po((i18n.LOCALE_DIR / "pmo.pot").open("rb")) if m.id}
    shipped = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(language) if m.id}
    assert template - shipped == set()


@pytest.mark.parametrize("language", SHIPPED)
def test_the_compiled_catalogues_match_their_sources(language):
    """pybabel compile was run after the last edit of the .po (make translations)."""
    folder = i18n.LOCALE_DIR / language / "LC_MESSAGES"
    compiled = read_mo((folder / "pmo.mo").open("rb"))
    source = catalogue(language)
    for message in source:
        if message.id:
            assert compiled.get(message.id, message.context) is not None, message.id
            string = compiled.get(message.id, message.context).string  # a pgettext message has its own context
            assert (tuple(string) if isinstance(string, list) else string) == message.string, message.id


def test_the_template_is_current_with_the_code(tmp_path):
    """Every string the code, the playbook notebook, the YAML knowledge and the report template mark is in
    pmo.pot: extracting again with babel.cfg finds nothing new (else run make translations)."""
    out = tmp_path / "now.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "say", "-k", "nsay:1,2", "-o", str(out), "."], cwd=ROOT, check=True, capture_output=True)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(out.open("rb")) if m.id}
    shipped = {m.id if isinstance(m.id, str) else m.id[0]
               for m in read_po((i18n.LOCALE_DIR / "pmo.pot").open("rb")) if m.id}
    assert ids - shipped == set()
    assert shipped - ids == set()


def test_the_notebook_extractor_cuts_markdown_as_the_renderer_does_and_reads_code_calls():
    notebook = {"cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {"tags": ["remove-cell"]}, "source": "# Hidden title"},
        {"cell_type": "markdown", "id": "b", "metadata": {}, "source": "## Heading\n\nFirst line\nsecond line.\n\n- One\n- Two"},
        {"cell_type": "code", "id": "c", "metadata": {}, "source": 'x = pmo._("Label")\nn = pmo.ngettext("{count} a", "{count} as", 2)'},
    ]}
    found = list(extract_notebook(io.BytesIO(json.dumps(notebook).encode()), {"_": None, "ngettext": (1, 2)}, [], {}))
    messages = [m for _, _, m, _ in found]
    # Babel's own extract() then keeps the keyword's message arguments (here ngettext's 1 and 2)
    assert messages == ["Heading", "First line\nsecond line.", "One", "Two", "Label", ("{count} a", "{count} as", None)]


def test_the_yaml_extractor_takes_the_named_fields_and_a_mappings_keys():
    text = b"glossary:\n  Term: Its meaning.\nsteps:\n  1:\n    purpose: Why.\n    code: X1\nefforts: {S: 1}\n"
    found = list(extract_yaml(io.BytesIO(text), {}, [], {"fields": "glossary.~ glossary.* steps.*.purpose"}))
    assert [(line, m) for line, _, m, _ in found] == [(2, "Term"), (2, "Its meaning."), (5, "Why.")]


# --- recorded texts ------------------------------------------------------------------------------------------------

def test_a_recorded_text_is_english_and_says_its_message_again_in_the_reports_language():
    """A register text (say/nsay) is the English string, whatever language is current when it is made, and shown()
    says it in the current language: German words and plural, German number and date formats (CLDR: "." groups
    thousands, dates dd.MM.y in the "medium" form)."""
    with i18n.using("de"):
        late = i18n.nsay("{count} day", "{count} days", 1234)
        text = i18n.say("Would break {limits}", limits=i18n.join_texts(", ", [late, i18n.a_date("2026-05-15")]))
        assert text == "Would break 1,234 days, 2026-05-15"  # English with the kit's formats
        assert isinstance(text, str) and isinstance(text, i18n.Text)
        german = text.shown()
    assert german == "Würde verstoßen gegen: 1.234 Tage, 15.05.2026"
    assert i18n.shown(text) == str(text)  # in English: the recorded string itself
    assert i18n.shown("client data") == "client data" and i18n.shown(3) == 3
    with i18n.using("fr"):
        assert i18n.nsay("{count} day", "{count} days", 0).shown() == "0 jour"  # French 0 is singular
        assert i18n.say("{amount}", amount=i18n.an_amount(-754208, "EUR")).shown() == f"-754{NNBSP}208{NBSP}€"
        assert i18n.say("{share}", share=i18n.a_percent(0.07)).shown() == f"7{NBSP}%"
    assert i18n.say("{amount}", amount=i18n.an_amount(-754208, "EUR")) == f"EUR{NBSP}-754,208"


def test_a_recorded_text_keeps_its_message_through_pickle_and_json():
    import pickle

    text = i18n.say("Would break {limits}", limits=i18n.say("{share}", share=i18n.a_percent(0.07)))
    back = pickle.loads(pickle.dumps(text))
    assert isinstance(back, i18n.Text) and back == text == "Would break 7%" and back.message == text.message
    assert json.loads(json.dumps(text.message)) == text.message


def test_a_fraction_takes_the_plural_form_cldr_gives_it():
    """CLDR plural rules (https://www.unicode.org/cldr/charts/latest/supplemental/language_plural_rules.html):
    French "one" is i = 0,1 (so 0,67 and 1,5 take the singular), German "one" is i = 1 and v = 0 (every fraction
    takes the plural), English likewise."""
    with i18n.using("fr"):
        assert i18n.ngettext("{count} day", "{count} days", 0.67).format(count="0,67") == "0,67 jour"
        assert i18n.ngettext("{count} day", "{count} days", 1.5).format(count="1,5") == "1,5 jour"
        assert i18n.ngettext("{count} day", "{count} days", 2.5).format(count="2,5") == "2,5 jours"
        assert i18n.ngettext("{count} day", "{count} days", -0.67).format(count="-0,67") == "-0,67 jour"
        assert i18n.ngettext("{count} day", "{count} days", -1).format(count="-1") == "-1 jour"
    with i18n.using("de"):
        assert i18n.ngettext("{count} day", "{count} days", 0.67).format(count="0,67") == "0,67 Tage"
        assert i18n.ngettext("{count} day", "{count} days", 1.5).format(count="1,5") == "1,5 Tage"
    assert i18n.ngettext("{count} day", "{count} days", 1.5) == "{count} days"
