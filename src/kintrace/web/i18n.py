"""Ukrainian, Russian and English texts of the web service.

The ``.po`` catalogs in ``web/locales/<locale>/LC_MESSAGES/messages.po`` are the source kept in the
repository; they are compiled in memory at start-up, so nobody has to run a compile step after
installing or editing a translation.

Locale of a request: ``?lang=`` (the switcher's links) > the ``lang`` cookie > the browser's
Accept-Language > the instance's default language.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES: tuple[str, ...] = ("uk", "ru", "en")
LANGUAGE_NAMES: dict[str, str] = {"uk": "Українська", "ru": "Русский", "en": "English"}
# Times are stored in UTC and shown in the reader's zone; the zone follows the language until
# people can choose one.
TIME_ZONES: dict[str, str] = {"uk": "Europe/Kyiv", "ru": "Europe/Moscow", "en": "Europe/Kyiv"}
LANG_COOKIE = "lang"
CATALOG_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the reader's locale is known."""
    return message


def load_translations(catalog_dir: Path = CATALOG_DIR) -> dict[str, Translations]:
    """Compile every catalog in memory; a missing catalog falls back to the English source text."""
    loaded: dict[str, Translations] = {}
    for locale in LOCALES:
        po_path = catalog_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.exists():
            loaded[locale] = Translations()
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale, domain=DOMAIN)
        buffer = io.BytesIO()
        # Fuzzy entries are drafts: better the English original than a wrong translation.
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        loaded[locale] = Translations(fp=buffer, domain=DOMAIN)
    return loaded


def negotiate(
    query_lang: str | None,
    cookie_lang: str | None,
    accept_language: str | None,
    default: str,
) -> str:
    """Pick the request's locale from the switcher, the cookie, then the browser."""
    for candidate in (query_lang, cookie_lang):
        if candidate in LOCALES:
            return candidate
    for tag in _accept_language_tags(accept_language or ""):
        primary = tag.split("-")[0].split("_")[0].lower()
        if primary in LOCALES:
            return primary
    return default if default in LOCALES else LOCALES[0]


def _accept_language_tags(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


@dataclass(frozen=True, slots=True)
class Texts:
    """The translation functions and formatters of one locale, handed to templates and views."""

    locale: str
    translations: Translations

    def gettext(self, message: str, **values: object) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text % ({"num": n} | values)

    def partial_date(self, value: str | None) -> str:
        """A stored partial date ("2001-03-12", "2001-03", "2001") the way people write it
        in Ukraine and Russia: 12.03.2001, 03.2001, 2001."""
        if not value:
            return ""
        return ".".join(reversed(value.split("-")))

    def datetime(self, moment: datetime | None) -> str:
        """A UTC time shown in the reader's zone, in the reader's language."""
        if moment is None:
            return ""
        zone = ZoneInfo(TIME_ZONES[self.locale])
        return format_datetime(moment, "medium", tzinfo=zone, locale=Locale.parse(self.locale))
