"""Validation errors as plain sentences in the reader's language, one per field.

The core raises stable error type codes (``kintrace.intake.enquiries.ERROR_CODES``); pydantic
adds its own for missing or malformed values. Each code gets one sentence here, written for a
worried relative, not a programmer. An unknown code still gets a kind, general sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kintrace.web.i18n import N_, Texts

GENERAL_SENTENCE = N_("Please check this value.")

SENTENCES: dict[str, str] = {
    # kintrace's own codes
    "date_invalid": N_(
        "Please write the date as day.month.year (12.03.2001), year-month (2001-03) or just the "
        "year (2001)."
    ),
    "date_in_future": N_("This date is in the future. Please check it."),
    "date_too_old": N_("This date is too long ago. Please check the year."),
    "name_missing": N_("Please give at least one name of the person you are looking for."),
    "contact_missing": N_("Please give an e-mail address or a phone number, so we can reach you."),
    "email_invalid": N_("This does not look like an e-mail address. Please check it."),
    "phone_invalid": N_(
        "This does not look like a phone number. Please use digits, with the country code "
        "(for example +380...)."
    ),
    "consent_required": N_("We can only search if you agree to how we use the information."),
    "too_long": N_("This is too long. Please shorten it to %(max_length)s characters."),
    "required": N_("Please fill in this field."),
    "language_invalid": N_("Please choose Ukrainian, Russian or English."),
    "sex_invalid": N_("Please choose male, female or leave it empty."),
    "value_invalid": GENERAL_SENTENCE,
    "text_invalid": N_("This contains characters we cannot store. Please retype it."),
    "relationship_missing": N_("Please tell us how you are related to the person."),
    # pydantic's codes
    "missing": N_("Please fill in this field."),
    "string_too_long": N_("This is too long. Please shorten it."),
    "string_too_short": N_("Please fill in this field."),
    "string_type": GENERAL_SENTENCE,
    "bool_parsing": N_("Please answer yes or no."),
    "bool_type": N_("Please answer yes or no."),
    "literal_error": N_("Please choose one of the offered options."),
    "enum": N_("Please choose one of the offered options."),
    "extra_forbidden": N_("This field is not known here."),
    "json_invalid": N_("We could not read what was sent. Please try again."),
    "model_attributes_type": N_("We could not read what was sent. Please try again."),
    "model_type": N_("We could not read what was sent. Please try again."),
    "dict_type": N_("We could not read what was sent. Please try again."),
}


def field_path(loc: Iterable[Any]) -> str:
    """("body", "sought", "birth_date") -> "sought.birth_date" (the request part is dropped)."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "header", "path"}:
        parts = parts[1:]
    return ".".join(parts)


def translate_errors(errors: Iterable[Mapping[str, Any]], texts: Texts) -> list[dict[str, Any]]:
    """Pydantic errors -> [{"field", "loc", "type", "message"}], one sentence per error.

    The input value is deliberately dropped: it may be personal data and the sender knows it.
    """
    translated = []
    for error in errors:
        code = str(error.get("type", "value_invalid"))
        sentence = SENTENCES.get(code, GENERAL_SENTENCE)
        context = error.get("ctx") or {}
        values = {"max_length": context["max_length"]} if "%(max_length)" in sentence else {}
        if "%(max_length)" in sentence and "max_length" not in context:
            sentence, values = N_("This is too long. Please shorten it."), {}
        translated.append(
            {
                "field": field_path(error.get("loc", ())),
                "loc": [str(part) for part in error.get("loc", ())],
                "type": code,
                "message": texts.gettext(sentence, **values),
            }
        )
    return translated
