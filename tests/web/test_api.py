"""The JSON API: 201 only after commit, idempotent retries, field-level 422s in the reader's
language, 413/415 refusals, and one 404 for every way of not holding the secret."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.factories import enquiry_payload
from tests.web.conftest import Web

from kintrace.db.models import Enquiry
from kintrace.intake import idempotency

URL = "/api/v1/enquiries"


def post(web: Web, payload: Any, key: str | None = None, **headers: str) -> Any:
    body = json.dumps(payload).encode()
    sent = {"content-type": "application/json", "accept-language": "en", **headers}
    if key is not None:
        sent["Idempotency-Key"] = key
    return web.client.post(URL, content=body, headers=sent)


def enquiry_count(web: Web) -> int:
    with web.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) or 0


def test_it_answers_201_with_reference_secret_and_status_url(web: Web) -> None:
    response = post(web, enquiry_payload())
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("KT-")
    assert len(body["secret"].replace("-", "")) >= 16
    assert body["status_url"].endswith(f"/api/v1/enquiries/{body['reference']}")
    # "Received" means stored: a fresh session finds it.
    with web.sessions() as session:
        stored = session.scalar(sa.select(Enquiry).where(Enquiry.reference == body["reference"]))
    assert stored is not None and stored.channel.value == "api"


def test_the_family_reads_its_enquiry_with_the_secret_header(web: Web) -> None:
    created = post(web, enquiry_payload()).json()
    response = web.client.get(
        created["status_url"], headers={"X-Enquiry-Secret": created["secret"]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "received"
    assert body["sought_name"] == "Кислиця Сергій Вікторович"
    assert body["sought_birth_date"] == "2001-03-12"
    assert "secret" not in body


def test_unknown_reference_wrong_secret_and_no_secret_get_the_same_404(web: Web) -> None:
    created = post(web, enquiry_payload()).json()
    wrong = web.client.get(created["status_url"], headers={"X-Enquiry-Secret": "AAAA-BBBB-CCCC"})
    missing = web.client.get(created["status_url"])
    unknown = web.client.get(f"{URL}/KT-2222-3333", headers={"X-Enquiry-Secret": created["secret"]})
    assert wrong.status_code == missing.status_code == unknown.status_code == 404
    assert wrong.json() == missing.json() == unknown.json()
    assert "Кислиця" not in wrong.text


def test_a_retry_with_the_same_key_and_body_gets_the_first_answer(web: Web) -> None:
    first = post(web, enquiry_payload(), key="retry-1")
    again = post(web, enquiry_payload(), key="retry-1")
    assert first.status_code == again.status_code == 201
    # The family whose first answer was lost still learns its secret.
    assert again.json() == first.json()
    assert enquiry_count(web) == 1


def test_the_same_key_with_another_body_is_refused_with_422(web: Web) -> None:
    post(web, enquiry_payload(), key="reused")
    other = post(web, enquiry_payload(sought__full_name="Іваненко Петро"), key="reused")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert enquiry_count(web) == 1


def test_a_retry_while_the_first_is_in_flight_gets_409(web: Web) -> None:
    payload = enquiry_payload()
    # The first request has claimed the key and is still working.
    idempotency.claim(
        web.sessions,
        scope="enquiries",
        key="busy",
        body=json.dumps(payload).encode(),
        keys=web.app.state.keys,
    )
    response = post(web, payload, key="busy")
    assert response.status_code == 409
    assert enquiry_count(web) == 0


def test_invalid_fields_get_422_with_paths_and_ukrainian_sentences(web: Web) -> None:
    payload = enquiry_payload(sought__birth_date="31.02.2001", enquirer__email="", consent=False)
    response = post(web, payload, **{"accept-language": "uk-UA,uk;q=0.9"})
    assert response.status_code == 422
    errors = {item["field"]: item for item in response.json()["errors"]}
    assert errors["sought.birth_date"]["type"] == "date_invalid"
    assert errors["sought.birth_date"]["message"].startswith("Будь ласка, напишіть дату")
    assert errors["consent"]["type"] == "consent_required"
    # Nothing is half-saved.
    assert enquiry_count(web) == 0


def test_a_missing_contact_is_reported_on_the_enquirer(web: Web) -> None:
    payload = enquiry_payload(enquirer__email="", enquirer__phone="")
    response = post(web, payload)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "enquirer",
            "loc": ["body", "enquirer"],
            "type": "contact_missing",
            "message": "Please give an e-mail address or a phone number, so we can reach you.",
        }
    ]


def test_the_typed_value_is_never_echoed_in_errors(web: Web) -> None:
    response = post(web, enquiry_payload(enquirer__email="not-an-address-Ганна"))
    assert response.status_code == 422
    assert "Ганна" not in response.text


def test_broken_json_gets_422_not_a_stack_trace(web: Web) -> None:
    response = web.client.post(
        URL, content=b'{"sought": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "Traceback" not in response.text
    assert response.json()["errors"][0]["type"] == "json_invalid"


def test_an_oversized_body_is_refused_with_413(web: Web) -> None:
    payload = enquiry_payload(sought__circumstances="x" * (web.settings.max_body_bytes + 1))
    response = post(web, payload)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("What you sent is too large")
    assert enquiry_count(web) == 0


def test_an_oversized_chunked_body_is_refused_with_413(web: Web) -> None:
    chunk = b"x" * 16384

    def stream() -> Any:
        for _ in range(web.settings.max_body_bytes // len(chunk) + 2):
            yield chunk

    headers = {"content-type": "application/json"}
    response = web.client.post(URL, content=stream(), headers=headers)
    assert response.status_code == 413


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_refused_with_415(web: Web, content_type: str) -> None:
    response = web.client.post(URL, content=b"a=b", headers={"content-type": content_type})
    assert response.status_code == 415
    assert enquiry_count(web) == 0


def test_an_overlong_idempotency_key_is_a_field_error(web: Web) -> None:
    response = post(web, enquiry_payload(), key="k" * 300)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize("key", [None, "commit-fails"])
def test_a_failed_commit_answers_500_and_no_receipt(web: Web, key: str | None) -> None:
    def fail(session: Any) -> None:
        raise RuntimeError("disk full")

    sa.event.listen(web.sessions, "before_commit", fail)
    client = TestClient(web.app, raise_server_exceptions=False)
    try:
        response = post(Web(web.app, client, web.settings), enquiry_payload(), key=key)
    finally:
        sa.event.remove(web.sessions, "before_commit", fail)
    assert response.status_code == 500
    assert "secret" not in response.text and "disk full" not in response.text
    assert enquiry_count(web) == 0
    if key is not None:
        # The claim was released, so the family's retry goes through.
        assert post(web, enquiry_payload(), key=key).status_code == 201


def test_the_openapi_document_describes_both_endpoints(web: Web) -> None:
    document = web.client.get("/api/v1/openapi.json").json()
    assert set(document["paths"]) == {URL, f"{URL}/{{reference}}"}
    post_op = document["paths"][URL]["post"]
    assert "201" in post_op["responses"] and "422" in post_op["responses"]
    headers = {p["name"] for p in post_op["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers
