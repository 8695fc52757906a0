"""Hotline mode: an operator files an enquiry for a caller, records verbal consent, and reads the
reference and secret aloud, spelled out in the caller's language; a verified family that lost its
secret gets a new one (the old one stops working)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from kintrace import audit
from kintrace.audit.events import EnquirySecretReset
from kintrace.db.models import Enquiry
from kintrace.disclosure.messages import MessageRefused, write_message
from kintrace.domain import Channel
from kintrace.domain.ids import new_secret, normalise_reference
from kintrace.intake.enquiries import EnquiryIn, _digest, find_enquiry, submit_enquiry
from kintrace.review.verification import Outcome, current_verification
from kintrace.web.deps import CsrfProtected, CurrentUser, KeysDep, SessionDep, TextsDep, require
from kintrace.web.routes.public import FormDep, field_errors, form_to_enquiry
from kintrace.web.templating import render

router = APIRouter(prefix="/staff/hotline", include_in_schema=False)

NATO = {
    "A": "Alfa", "B": "Bravo", "C": "Charlie", "D": "Delta", "E": "Echo", "F": "Foxtrot",
    "G": "Golf", "H": "Hotel", "J": "Juliett", "K": "Kilo", "M": "Mike", "N": "November",
    "P": "Papa", "Q": "Quebec", "R": "Romeo", "T": "Tango", "V": "Victor", "W": "Whiskey",
    "X": "X-ray", "Y": "Yankee", "Z": "Zulu",
}  # fmt: skip
# The codes are Latin letters: callers hear each letter's name in their language, with the
# NATO word as a cross-check that many people at the front know.
LETTER_NAMES = {
    "uk": {
        "A": "а", "B": "бе", "C": "це", "D": "де", "E": "е", "F": "еф", "G": "ге", "H": "аш",
        "J": "йот", "K": "ка", "M": "ем", "N": "ен", "P": "пе", "Q": "ку", "R": "ер",
        "T": "те", "V": "ве", "W": "дубль-ве", "X": "ікс", "Y": "ігрек", "Z": "зет",
    },
    "ru": {
        "A": "а", "B": "бэ", "C": "цэ", "D": "дэ", "E": "е", "F": "эф", "G": "гэ", "H": "аш",
        "J": "йот", "K": "ка", "M": "эм", "N": "эн", "P": "пэ", "Q": "ку", "R": "эр",
        "T": "тэ", "V": "вэ", "W": "дубль-вэ", "X": "икс", "Y": "игрек", "Z": "зэт",
    },
}  # fmt: skip
DIGITS = {
    "en": {"2": "two", "3": "three", "4": "four", "6": "six", "7": "seven", "8": "eight",
           "9": "niner"},
    "uk": {"2": "два", "3": "три", "4": "чотири", "6": "шість", "7": "сім", "8": "вісім",
           "9": "дев'ять"},
    "ru": {"2": "два", "3": "три", "4": "четыре", "6": "шесть", "7": "семь", "8": "восемь",
           "9": "девять"},
}  # fmt: skip
DASH = {"en": "dash", "uk": "риска", "ru": "дефис"}


def spell(code: str, language: str) -> list[tuple[str, str]]:
    """Each character of `code` with how to say it in `language` (uk, ru or en)."""
    language = language if language in DIGITS else "en"
    out: list[tuple[str, str]] = []
    for char in code:
        if char == "-":
            out.append((char, DASH[language]))
        elif char.isdigit():
            out.append((char, DIGITS[language].get(char, char)))
        elif language == "en":
            out.append((char, NATO.get(char, char)))
        else:
            out.append((char, f"{LETTER_NAMES[language].get(char, char)} ({NATO.get(char, char)})"))
    return out


def _form(
    request: Request, values: dict[str, str], errors: dict[str, str], status: int, **extra: object
) -> Response:
    context = {"values": values, "errors": errors, **extra}
    return render(request, "hotline/index.html", context, status_code=status)


@router.get("", dependencies=[require("staff.hotline.use")])
def hotline_page(request: Request, texts: TextsDep) -> Response:
    return _form(request, {"enquirer.language": texts.locale}, {}, 200)


@router.post("", dependencies=[require("staff.enquiry.create_for_caller"), CsrfProtected])
def file_for_caller(
    request: Request,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    keys: KeysDep,
    texts: TextsDep,
) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    data = form_to_enquiry(form)
    # The box records that the caller gave verbal consent after hearing the consent text.
    data["consent"] = form.get("verbal_consent") == "true"
    try:
        enquiry = EnquiryIn.model_validate(data)
    except ValidationError as exc:
        return _form(request, values, field_errors(exc, texts), 422)
    receipt = submit_enquiry(
        session,
        enquiry,
        channel=Channel.hotline,
        keys=keys,
        organisation_id=user.organisation_id,
        created_by_id=user.id,
    )
    session.commit()
    language = enquiry.enquirer.language.value
    context = {
        "reference": receipt.reference,
        "secret": receipt.secret,
        "reference_spelled": spell(receipt.reference, language),
        "secret_spelled": spell(receipt.secret, language),
        "caller_language": language,
        "new_secret": False,
    }
    return render(request, "hotline/receipt.html", context, status_code=201)


@router.post("/secret", dependencies=[require("staff.enquiry.reset_secret"), CsrfProtected])
def reset_secret(
    request: Request,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    keys: KeysDep,
    texts: TextsDep,
) -> Response:
    reference = normalise_reference(str(form.get("reference", "")))
    enquiry = None
    if reference is not None:
        enquiry = session.query(Enquiry).filter(Enquiry.reference == reference).one_or_none()
    if enquiry is None or enquiry.organisation_id != user.organisation_id:
        problem = texts.gettext("No enquiry of your organisation has this reference.")
        return _form(request, {}, {}, 404, reset_problem=problem)
    verification = current_verification(session, enquiry.id)
    if verification is None or verification.outcome != Outcome.verified.value:
        problem = texts.gettext(
            "The caller must be verified by a caseworker before a new secret is given."
        )
        return _form(request, {}, {}, 409, reset_problem=problem)
    secret = new_secret()
    # The digest binds reference and secret; replacing it is what voids the old secret.
    enquiry.secret_digest = _digest(keys, enquiry.reference, secret)
    audit.record(
        session, EnquirySecretReset(actor_kind="staff", actor_id=user.id, subject_id=enquiry.id)
    )
    session.commit()
    language = enquiry.language.value
    context = {
        "reference": enquiry.reference,
        "secret": secret,
        "reference_spelled": spell(enquiry.reference, language),
        "secret_spelled": spell(secret, language),
        "caller_language": language,
        "new_secret": True,
    }
    return render(request, "hotline/receipt.html", context)


@router.post("/message", dependencies=[require("staff.hotline.use"), CsrfProtected])
def take_message(
    request: Request,
    form: FormDep,
    user: CurrentUser,
    session: SessionDep,
    keys: KeysDep,
    texts: TextsDep,
) -> Response:
    """A family message dictated on the phone; the caller reads out reference and secret."""
    reference, secret = str(form.get("reference", "")), str(form.get("secret", ""))
    status = find_enquiry(session, reference, secret, keys)
    enquiry = session.get(Enquiry, status.enquiry_id) if status else None
    if enquiry is None or enquiry.organisation_id != user.organisation_id:
        problem = texts.gettext("The reference code or the secret is not right.")
        return _form(request, {}, {}, 404, message_problem=problem)
    try:
        write_message(session, enquiry, str(form.get("body", "")), user_id=user.id)
    except MessageRefused:
        session.rollback()
        problem = texts.gettext("A family message holds between 1 and 25 words.")
        return _form(request, {}, {}, 422, message_problem=problem)
    session.commit()
    done = texts.gettext("The message was taken; a caseworker reviews it next.")
    return _form(request, {}, {}, 201, message_done=done)
