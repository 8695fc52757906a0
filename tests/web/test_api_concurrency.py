"""Two copies of the same request arrive at once (a phone retrying on a bad line): exactly one
enquiry is stored, and neither answer is an error the family could not act on."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from tests.factories import enquiry_payload, make_settings

from kintrace.db import upgrade
from kintrace.db.models import Enquiry
from kintrace.web.app import create_app


def test_simultaneous_retries_with_one_key_store_one_enquiry(
    data_dir: Path, database_url: str, live_server: Callable[[Any], str]
) -> None:
    settings = make_settings(data_dir, database_url)
    upgrade(settings)
    app = create_app(settings)
    base_url = live_server(app)
    body = json.dumps(enquiry_payload()).encode()
    headers = {"content-type": "application/json", "Idempotency-Key": "same-key"}
    barrier = threading.Barrier(4)
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            barrier.wait()
            answers.append(client.post("/api/v1/enquiries", content=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) <= {201, 409}, statuses
    created = {answer.text for answer in answers if answer.status_code == 201}
    assert len(created) == 1, "every 201 must carry the same reference and secret"
    with app.state.sessionmaker() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 1
    # A family that got 409 retries a moment later and learns the same secret.
    with httpx.Client(base_url=base_url, timeout=60) as client:
        retry = client.post("/api/v1/enquiries", content=body, headers=headers)
    assert retry.status_code == 201 and retry.text in created
