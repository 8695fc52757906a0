"""The lean door to ``POST /api/v1/enquiries`` (``api.LeanEnquirySubmit``) answers exactly as
the FastAPI route does: same status, same headers in the same order, same bytes — for a valid
enquiry, broken JSON, invalid fields, an oversized body, a bad or reused Idempotency-Key, an
idempotent retry and an overloaded writer, in Ukrainian, Russian and English. Each request is
sent once through the lean door and once with the door shut (everything to the full app)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from tests.factories import enquiry_payload
from tests.web.conftest import Web

from kintrace.db.models import Enquiry
from kintrace.intake.group_commit import GroupCommitWriter, WriterBusy
from kintrace.web.routes import api

URL = "/api/v1/enquiries"
LANGUAGES = ["uk", "ru", "en"]


@pytest.fixture
def doors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Which door filed each enquiry: "lean", or "full" for the FastAPI route."""
    seen: list[str] = []
    filed = api.submit

    async def spy(request: Any, *args: Any) -> Any:
        seen.append("lean" if "kintrace.lean" in request.scope else "full")
        return await filed(request, *args)

    monkeypatch.setattr(api, "submit", spy)
    yield seen


def send(web: Web, body: bytes, language: str, key: str | None = None, **extra: str) -> Any:
    headers = {"content-type": "application/json", "accept-language": language, **extra}
    if key is not None:
        headers["idempotency-key"] = key
    return web.client.post(URL, content=body, headers=headers)


def answer(response: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, raw headers in order and body, with a new enquiry's reference and secret (new
    on every request) replaced by placeholders of the same length."""
    body = response.content
    if response.status_code == 201:
        created = response.json()
        for name in ("reference", "secret"):
            body = body.replace(created[name].encode(), b"#" * len(created[name]))
    return response.status_code, list(response.headers.raw), body


def both_doors(
    web: Web, monkeypatch: pytest.MonkeyPatch, body: bytes, language: str, **kw: Any
) -> tuple[Any, Any]:
    lean = send(web, body, language, **kw)
    with monkeypatch.context() as shut:
        shut.setattr(api.LeanEnquirySubmit, "_plain", lambda self, headers: False)
        full = send(web, body, language, **kw)
    return lean, full


def valid(**overrides: Any) -> bytes:
    return json.dumps(enquiry_payload(**overrides)).encode()


INVALID = {
    "broken JSON": b'{"sought": {"full_name": "Bad',
    "not an object": b"[1, 2]",
    "empty": b"",
    "consent refused": valid(consent=False),
    "bad fields": valid(sought__birth_date="31.02.2001", enquirer__email="no-at-sign"),
    "unknown field": valid(extra="x"),
    "wrong types": json.dumps({"sought": 5, "enquirer": [], "consent": "maybe"}).encode(),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_valid_enquiry_gets_the_same_201_through_either_door(
    web: Web, monkeypatch: pytest.MonkeyPatch, doors: list[str], language: str
) -> None:
    lean, full = both_doors(web, monkeypatch, valid(), language)
    assert doors == ["lean", "full"]
    assert lean.status_code == 201
    assert answer(lean) == answer(full)
    # Both are stored, each under the reference its answer named.
    with web.sessions() as session:
        stored = set(session.scalars(sa.select(Enquiry.reference)))
    assert {lean.json()["reference"], full.json()["reference"]} <= stored


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", list(INVALID))
def test_an_invalid_body_gets_the_same_422_through_either_door(
    web: Web, monkeypatch: pytest.MonkeyPatch, doors: list[str], language: str, case: str
) -> None:
    lean, full = both_doors(web, monkeypatch, INVALID[case], language)
    assert lean.status_code == 422
    assert answer(lean) == answer(full)
    assert doors == []  # nothing was filed


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_oversized_body_and_a_bad_key_get_the_same_refusal(
    web: Web, monkeypatch: pytest.MonkeyPatch, doors: list[str], language: str
) -> None:
    oversized = b'{"pad": "' + b"x" * web.settings.max_body_bytes + b'"}'
    lean, full = both_doors(web, monkeypatch, oversized, language)
    assert lean.status_code == 413
    assert answer(lean) == answer(full)
    lean, full = both_doors(web, monkeypatch, valid(), language, key="k" * 256)
    assert lean.status_code == 422
    assert answer(lean) == answer(full)
    assert "Idempotency-Key" in lean.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_idempotent_retry_replays_the_first_answer_through_either_door(
    web: Web, monkeypatch: pytest.MonkeyPatch, doors: list[str], language: str
) -> None:
    key = f"retry-{language}"
    first = send(web, valid(), language, key=key)
    lean, full = both_doors(web, monkeypatch, valid(), language, key=key)
    assert first.status_code == 201
    # The family whose first answer was lost learns the same secret, byte for byte.
    assert first.content == lean.content == full.content
    assert answer(first) == answer(lean) == answer(full)
    with web.sessions() as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(Enquiry))
    assert count == 1
    # The same key with another body is refused alike.
    other = valid(sought__full_name="Кислиця Петро Вікторович")
    lean, full = both_doors(web, monkeypatch, other, language, key=key)
    assert lean.status_code == 422
    assert answer(lean) == answer(full)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_overloaded_writer_gets_the_same_503_through_either_door(
    web: Web, monkeypatch: pytest.MonkeyPatch, doors: list[str], language: str
) -> None:
    async def busy(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise WriterBusy()

    monkeypatch.setattr(GroupCommitWriter, "submit_async", busy)
    lean, full = both_doors(web, monkeypatch, valid(), language)
    assert doors == ["lean", "full"]
    assert lean.status_code == 503
    assert lean.headers["retry-after"]
    assert answer(lean) == answer(full)


def test_a_caller_with_a_cookie_or_a_chunked_body_goes_through_the_full_app(
    web: Web, doors: list[str]
) -> None:
    response = send(web, valid(), "en", cookie="kintrace_lang=uk")
    assert response.status_code == 201
    chunked = web.client.post(
        URL,
        content=iter([valid()]),
        headers={"content-type": "application/json", "accept-language": "en"},
    )
    assert chunked.status_code == 201
    assert doors == ["full", "full"]


EDGES = {
    "a repeated key, the last one wins": valid()[:-1] + b', "consent": false, "consent": true}',
    "consent as 1": valid(consent=1),
    "consent as text": valid(consent="true"),
    "a year as a number": valid(sought__birth_date=2001),
    "sex in lower case": valid(sought__sex="m"),
    "a name as a number": valid(sought__full_name=123),
    "military as yes": valid(sought__military="yes"),
    "NaN": valid()[:-1] + b', "consent": NaN}',
}


@pytest.mark.parametrize("case", list(EDGES))
def test_the_lean_validation_accepts_exactly_what_fastapi_accepts(case: str) -> None:
    """The door validates the bytes with pydantic-core's JSON parser; FastAPI parses with the
    json module, then validates the objects. Where the door is stricter the request only goes
    to the full app; it must never accept what FastAPI refuses, or read it otherwise."""
    from pydantic import ValidationError

    from kintrace.intake.enquiries import EnquiryIn

    def outcome(validate: Any) -> Any:
        try:
            return validate().model_dump()
        except (ValidationError, ValueError):
            return "refused"

    lean = outcome(lambda: EnquiryIn.model_validate_json(EDGES[case]))
    full = outcome(lambda: EnquiryIn.model_validate(json.loads(EDGES[case])))
    assert lean == full or lean == "refused"


def test_a_repeated_content_type_goes_through_the_full_app(web: Web, doors: list[str]) -> None:
    response = web.client.post(
        URL,
        content=valid(),
        headers=[("content-type", "text/plain"), ("content-type", "application/json")],
    )
    assert response.status_code == 415
    assert doors == []


def test_the_lean_door_names_the_route_in_the_request_log(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kintrace.web import admission

    lines: list[dict[str, Any]] = []
    monkeypatch.setattr(admission.log, "info", lambda event, **kw: lines.append(kw))
    response = send(web, valid(), "en")
    assert response.status_code == 201
    assert lines[-1]["route"] == URL and lines[-1]["status"] == 201
    assert not re.search("Кислиця|hanna", json.dumps(lines[-1]))
