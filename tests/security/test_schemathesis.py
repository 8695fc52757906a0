"""Schemathesis against the JSON API's own OpenAPI document (issue 6 item 8): at least 100
generated requests per operation, in process through the ASGI app, and not one server error."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from tests.web.conftest import build_web

from kintrace.intake.throttle import Limit

EXAMPLES = 100


def test_no_generated_request_makes_the_api_fail_with_a_server_error(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guesses are throttled after 10; here every generated lookup should reach the code.
    monkeypatch.setattr("kintrace.web.security.ENQUIRER_LOOKUP", Limit(10**9, timedelta(minutes=1)))
    webs = build_web(data_dir, f"sqlite:///{tmp_path / 'api.sqlite3'}")
    web = next(webs)
    try:
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", web.app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert {op.path for op in operations} >= {
            "/api/v1/enquiries",
            "/api/v1/enquiries/{reference}",
        }
        calls: Counter[str] = Counter()
        failures: list[str] = []
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def run(case: schemathesis.Case) -> None:
                response = case.call()
                calls[case.operation.label] += 1
                if response.status_code >= 500:
                    failures.append(f"{case.operation.label}: {response.status_code}")

            run()
        assert failures == []
        assert len(calls) == len(operations)
        assert min(calls.values()) >= EXAMPLES, calls
    finally:
        webs.close()
