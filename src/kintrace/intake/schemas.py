"""Field types shared by the intake schemas, with stable error codes for the web layer.

Each validation failure raises PydanticCustomError with a code from ERROR_CODES; the web
layer turns a code into a sentence in uk/ru/en. The English text here is the fallback.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from kintrace.intake.dates import EARLIEST_YEAR, is_in_future, parse_partial_date

ERROR_CODES: dict[str, str] = {
    "missing": "This field is required.",
    "required": "Please fill in this field.",
    "too_long": "This is too long; please shorten it to {max_length} characters.",
    "text_invalid": "This contains characters that cannot be stored; please retype it.",
    "name_missing": "Please give at least one name of the person you are looking for.",
    "date_invalid": "This is not a date we can read; write it as 12.03.2001, 2001-03 or 2001.",
    "date_in_future": "This date lies in the future.",
    "date_too_old": "This date is before 1900; please check the year.",
    "sex_invalid": "Choose male, female or leave it empty.",
    "email_invalid": "This is not an e-mail address we can write to.",
    "phone_invalid": "This is not a phone number we can call; include the country code.",
    "contact_missing": "Please give an e-mail address or a phone number so we can reach you.",
    "language_invalid": "Choose Ukrainian, Russian or English.",
    "consent_required": "We can only search once you agree to how your data will be used.",
    "bool_parsing": "Choose yes or no.",
    "extra_forbidden": "This field is not part of an enquiry.",
    "model_type": "This part of the enquiry is missing or malformed.",
    "string_type": "This must be text.",
    "enum": "Choose one of the offered values.",
}

# Control characters other than line breaks and tabs have no business in a name or a note.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(max_length: int, *, multiline: bool = False):  # type: ignore[no-untyped-def]
    def validate(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise PydanticCustomError("string_type", ERROR_CODES["string_type"])
        # NFC so that "й" typed as и + combining breve matches the precomposed letter.
        value = unicodedata.normalize("NFC", value).strip()
        if _CONTROL.search(value):
            raise PydanticCustomError("text_invalid", ERROR_CODES["text_invalid"])
        if not multiline:
            value = " ".join(value.split())
        if not value:
            return None
        if len(value) > max_length:
            raise PydanticCustomError(
                "too_long", ERROR_CODES["too_long"], {"max_length": max_length}
            )
        return value

    return BeforeValidator(validate)


def _partial_date(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("date_invalid", ERROR_CODES["date_invalid"])
    parsed = parse_partial_date(value)
    if parsed is None:
        raise PydanticCustomError("date_invalid", ERROR_CODES["date_invalid"])
    if int(parsed[:4]) < EARLIEST_YEAR:
        raise PydanticCustomError("date_too_old", ERROR_CODES["date_too_old"])
    if is_in_future(parsed):
        raise PydanticCustomError("date_in_future", ERROR_CODES["date_in_future"])
    return parsed


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("email_invalid", ERROR_CODES["email_invalid"])
    value = value.strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise PydanticCustomError("email_invalid", ERROR_CODES["email_invalid"])
    return value


def _phone(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise PydanticCustomError("phone_invalid", ERROR_CODES["phone_invalid"])
    value = value.strip()
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(r"\+?[\d\s().\-]+", value) or not 7 <= len(digits) <= 15:
        raise PydanticCustomError("phone_invalid", ERROR_CODES["phone_invalid"])
    return ("+" if value.startswith("+") else "") + digits


def _sex(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    key = str(value).strip().upper()
    mapping = {"M": "M", "MALE": "M", "Ч": "M", "М": "M", "F": "F", "FEMALE": "F", "Ж": "F"}
    if key not in mapping:
        raise PydanticCustomError("sex_invalid", ERROR_CODES["sex_invalid"])
    return mapping[key]


Name = Annotated[str | None, _clean_text(200)]
FullName = Annotated[str | None, _clean_text(400)]
ShortText = Annotated[str | None, _clean_text(200)]
Place = Annotated[str | None, _clean_text(300)]
LongText = Annotated[str | None, _clean_text(4000, multiline=True)]
Code = Annotated[str | None, _clean_text(50)]
PartialDateText = Annotated[str | None, BeforeValidator(_partial_date)]
Email = Annotated[str | None, BeforeValidator(_email)]
Phone = Annotated[str | None, BeforeValidator(_phone)]
SexCode = Annotated[str | None, BeforeValidator(_sex)]


def has_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def validate_with_whole_check(
    model_name: str,
    data: Any,
    handler: Callable[[Any], Any],
    problem: Callable[[dict[str, Any]], str | None],
) -> Any:
    """Run a model's field validation and a check across fields (a wrap model validator).

    Pydantic skips "after" model validators when a field failed, so a family would learn
    that a name or a contact is missing only on their second try. Here the whole-model check
    runs on the raw input too, and its error is reported together with the field errors.
    `problem(raw)` returns an ERROR_CODES code, or None when the input is fine.
    """
    try:
        model = handler(data)
    except ValidationError as exc:
        code = problem(data) if isinstance(data, dict) else None
        if code is None:
            raise
        details = [
            InitErrorDetails(
                type=PydanticCustomError(e["type"], e["msg"], e.get("ctx")),
                loc=e["loc"],
                input=e["input"],
            )
            for e in exc.errors()
        ]
        details.append(
            InitErrorDetails(type=PydanticCustomError(code, ERROR_CODES[code]), loc=(), input=data)
        )
        raise ValidationError.from_exception_data(model_name, details) from None
    # The validated fields as they are: every check reads top-level text fields only, and
    # model_dump() copied the whole model (nested ones too) on every enquiry of a surge.
    code = problem(model.__dict__)
    if code is not None:
        raise PydanticCustomError(code, ERROR_CODES[code])
    return model
