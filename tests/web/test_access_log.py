"""Who looked at a case (issue 6 item 4): the people working a case see every reading and
change of it from the audit log — staff accounts and record ids, never the family's data."""

from __future__ import annotations

from tests.web.conftest import Web
from tests.web.test_casework import casework, filed  # noqa: F401  (fixtures)
from tests.web.test_staff import sign_in


def test_a_caseworker_sees_that_a_colleague_opened_the_case_and_the_match(
    casework: Web,  # noqa: F811
    filed: dict[str, object],  # noqa: F811
) -> None:
    sign_in(casework, "bob@a.example.org")  # the supervisor looks first
    assert casework.client.get(f"/staff/cases/{filed['case']}").status_code == 200
    assert casework.client.get(f"/staff/matches/{filed['match']}").status_code == 200
    casework.client.cookies.clear()

    sign_in(casework, "alice@a.example.org")
    case_page = casework.client.get(f"/staff/cases/{filed['case']}?lang=uk")
    assert f"/staff/cases/{filed['case']}/access" in case_page.text
    log = casework.client.get(f"/staff/cases/{filed['case']}/access?lang=uk")
    assert log.status_code == 200
    assert "Хто переглядав справу" in log.text
    rows = log.text.split("<tbody>")[1]
    assert "bob@a.example.org" in rows and "керівник" in rows
    assert f"збіг {filed['match']}" in rows and f"справа {filed['case']}" in rows
    assert "Переглянув(-ла)" in rows and "Запит отримано" in rows
    # The log names staff and record ids only: not the family's or the sought man's name.
    assert "Кислиц" not in log.text


def test_the_access_log_of_another_organisations_case_is_not_found(
    casework: Web,  # noqa: F811
    filed: dict[str, object],  # noqa: F811
) -> None:
    sign_in(casework, "charlie@b.example.org")
    assert casework.client.get(f"/staff/cases/{filed['case']}/access").status_code == 404
