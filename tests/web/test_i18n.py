"""Every text the pages can show is translated into Ukrainian and Russian, and the catalogs
follow the code: a new English sentence without its translations fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import kintrace.web
from kintrace.web.i18n import CATALOG_DIR, Texts, load_translations, negotiate

WEB_DIR = Path(kintrace.web.__file__).parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def source_messages() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}
    keywords = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB_DIR), method_map, options, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("locale", ["uk", "ru"])
def test_every_text_in_the_code_is_translated(locale: str) -> None:
    path = CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    in_code = source_messages()
    assert len(in_code) > 100, "the extraction found no texts: is the method map still right?"
    missing = sorted(in_code - set(translated))
    assert missing == [], (
        f"{len(missing)} text(s) lack a {locale} translation; run pybabel extract/update "
        f"(see docs/web.md) and translate: {missing[:5]}"
    )
    for msgid, msgstr in translated.items():
        assert PLACEHOLDER.findall(msgid) == PLACEHOLDER.findall(msgstr), msgid


def test_russian_and_ukrainian_translations_are_not_copies_of_english() -> None:
    translations = load_translations()
    for locale in ("uk", "ru"):
        texts = Texts(locale, translations[locale])
        assert texts.gettext("Send the enquiry") != "Send the enquiry"
    assert Texts("uk", translations["uk"]).gettext("Send the enquiry") == "Надіслати запит"
    assert Texts("ru", translations["ru"]).gettext("Send the enquiry") == "Отправить запрос"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("uk-UA,uk;q=0.9,en;q=0.8", "uk"),
        ("ru-RU,ru;q=0.9", "ru"),
        ("de-DE,de;q=0.9,en;q=0.5", "en"),
        ("en;q=0.3,ru;q=0.7", "ru"),
        ("fr-FR", "uk"),
        ("", "uk"),
    ],
)
def test_the_browser_language_picks_the_page_language(header: str, expected: str) -> None:
    assert negotiate(None, None, header, "uk") == expected


def test_the_switcher_beats_the_cookie_and_the_cookie_beats_the_browser() -> None:
    assert negotiate("en", "ru", "uk", "uk") == "en"
    assert negotiate(None, "ru", "uk", "uk") == "ru"
    assert negotiate("xx", "yy", "ru", "uk") == "ru"


def test_every_enquiry_state_has_a_label_for_families_and_for_staff() -> None:
    from kintrace.domain import EnquiryState
    from kintrace.web.routes.public import STATE_LABELS
    from kintrace.web.routes.staff import STAFF_STATE_LABELS

    states = {state.value for state in EnquiryState}
    assert set(STATE_LABELS) == states
    assert set(STAFF_STATE_LABELS) == states


def test_partial_dates_are_shown_the_way_people_write_them() -> None:
    texts = Texts("uk", load_translations()["uk"])
    assert texts.partial_date("2001-03-12") == "12.03.2001"
    assert texts.partial_date("2001-03") == "03.2001"
    assert texts.partial_date("2001") == "2001"


@pytest.mark.parametrize(("locale", "foreign"), [("ru", "іїєґ"), ("uk", "ыэъё")])
def test_no_text_is_filed_under_the_other_language(locale: str, foreign: str) -> None:
    # Ukrainian and Russian look alike at a glance; their own letters tell them apart.
    path = CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    misfiled = [m.id for m in catalog if m.id and set(str(m.string).lower()) & set(foreign)]
    assert misfiled == []


def test_every_error_code_of_the_core_has_its_own_sentence() -> None:
    from kintrace.intake.enquiries import ERROR_CODES
    from kintrace.web.validation import SENTENCES

    # A new code in the core would otherwise reach families as the vague general sentence.
    assert sorted(set(ERROR_CODES) - set(SENTENCES)) == []
