"""Enquirer access (issue 6 item 3): secrets kept as keyed digests, one answer for an unknown
reference and a wrong secret, and guessing throttled with 429 on the page and in the API."""

from __future__ import annotations

import statistics
import time

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.factories import enquiry_payload
from tests.security.conftest import csrf_of
from tests.web.conftest import Web

from kintrace.db.models import Enquiry
from kintrace.intake.enquiries import find_enquiry


def filed(web: Web) -> dict[str, str]:
    response = web.client.post("/api/v1/enquiries", json=enquiry_payload())
    assert response.status_code == 201
    return response.json()


def client_for(web: Web, address: str) -> TestClient:
    return TestClient(web.app, client=(address, 50000))


def test_the_secret_is_stored_only_as_a_keyed_digest(web: Web) -> None:
    codes = filed(web)
    with web.sessions() as session:
        row = session.scalar(sa.select(Enquiry))
        assert row is not None
        stored = " ".join(str(value) for value in row.__dict__.values())
    assert codes["secret"] not in stored
    assert codes["secret"].replace("-", "") not in stored.replace("-", "")


def test_an_unknown_reference_and_a_wrong_secret_get_the_same_answer(web: Web) -> None:
    codes = filed(web)
    client = client_for(web, "10.5.0.1")
    known, unknown = codes["reference"], "KT-2222-3333"
    api = [
        client.get(f"/api/v1/enquiries/{ref}", headers={"X-Enquiry-Secret": "AAAA-BBBB-CCCC"})
        for ref in (known, unknown)
    ]
    assert api[0].status_code == api[1].status_code == 404
    assert api[0].json() == api[1].json()
    token = csrf_of(client, "/status")
    pages = [
        client.post("/status", data={"csrf_token": token, "reference": ref, "secret": "x"})
        for ref in (known, unknown)
    ]
    assert pages[0].status_code == pages[1].status_code == 404
    # The pages differ only in the reference typed, which is shown back to its typist.
    assert pages[0].text.replace(known, unknown) == pages[1].text


def test_a_wrong_secret_takes_as_long_as_an_unknown_reference(web: Web) -> None:
    codes = filed(web)
    keys = web.app.state.keys

    times: dict[str, list[float]] = {codes["reference"]: [], "KT-2222-3333": []}
    with web.sessions() as session:
        # Alternated, so a burst of load from the machine's other work slows both alike (one
        # after the other, a burst during one side's 40 calls failed the comparison).
        for round_ in range(41):
            for reference, taken in times.items():
                started = time.perf_counter()
                assert find_enquiry(session, reference, "AAAA-BBBB-CCCC", keys) is None
                if round_:  # the first round warms up
                    taken.append((time.perf_counter() - started) * 1000)
    wrong, unknown = (statistics.median(taken) for taken in times.values())
    # Same order of magnitude: both look the row up, digest and compare in constant time.
    assert max(wrong, unknown) < 5 * min(wrong, unknown) + 0.5


def test_guessing_from_one_address_is_throttled_on_the_page(web: Web) -> None:
    codes = filed(web)
    guesser = client_for(web, "10.6.0.1")
    token = csrf_of(guesser, "/status?lang=en")
    for attempt in range(10):
        form = {"csrf_token": token, "reference": f"KT-2222-{3330 + attempt}", "secret": "x"}
        assert guesser.post("/status", data=form).status_code == 404
    right = {"csrf_token": token, "reference": codes["reference"], "secret": codes["secret"]}
    refused = guesser.post("/status?lang=en", data=right)
    assert refused.status_code == 429
    assert "Too many attempts with a reference code and secret" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 60
    ru = guesser.post("/status?lang=ru", data=right)
    assert "Слишком много попыток" in ru.text
    # The family itself, from its own address, still gets in.
    family = client_for(web, "10.6.0.2")
    right["csrf_token"] = csrf_of(family, "/status")
    assert family.post("/status", data=right).status_code == 200


def test_guessing_against_one_reference_is_throttled_in_the_api(web: Web) -> None:
    codes = filed(web)
    url = f"/api/v1/enquiries/{codes['reference']}"
    for attempt in range(10):  # ten addresses, one reference
        guesser = client_for(web, f"10.7.0.{attempt}")
        assert guesser.get(url, headers={"X-Enquiry-Secret": "AAAA-BBBB-CCCC"}).status_code == 404
    fresh = client_for(web, "10.7.1.1")
    refused = fresh.get(url, headers={"X-Enquiry-Secret": codes["secret"], "Accept-Language": "en"})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.json()["detail"]
    # Another family's reference is not held up by it.
    other = filed(web)
    other_url = f"/api/v1/enquiries/{other['reference']}"
    assert fresh.get(other_url, headers={"X-Enquiry-Secret": other["secret"]}).status_code == 200


@pytest.mark.parametrize("path", ["/enquiry/receipt", "/status/message"])
def test_every_page_that_takes_the_codes_is_throttled_too(web: Web, path: str) -> None:
    guesser = client_for(web, "10.8.0.1")
    token = csrf_of(guesser, "/status")
    form = {"csrf_token": token, "reference": "KT-2222-3333", "secret": "x", "body": "Привіт"}
    statuses = [guesser.post(path, data=form).status_code for _ in range(11)]
    assert statuses == [404] * 10 + [429]
