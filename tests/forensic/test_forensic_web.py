"""Forensic pages: only forensic specialists reach remains and their photos; an identification
proposed on the page waits for a second specialist; the family's page shows no remains image."""

from __future__ import annotations

import pytest
from tests.security.conftest import World, csrf_of, world  # noqa: F401  (the shared web world)


@pytest.mark.parametrize(
    ("identity", "status"),
    [("anonymous", 303), ("caseworker", 403), ("analyst", 403), ("supervisor", 403),
     ("hotline_operator", 403), ("other_org_caseworker", 403)],
)  # fmt: skip
def test_nobody_but_forensic_staff_opens_a_photo_of_remains(
    world: World,  # noqa: F811
    identity: str,
    status: int,
) -> None:
    client = world.client(identity)
    for path in (f"/staff/forensic/photos/{world.ids['photo_id']}", "/staff/forensic"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == status, path
        assert b"png" not in response.content


def test_a_forensic_specialist_sees_the_photo_and_it_is_never_cached(world: World) -> None:  # noqa: F811
    response = world.client("forensic_specialist").get(
        f"/staff/forensic/photos/{world.ids['photo_id']}"
    )
    assert response.status_code == 200 and response.content == b"png"
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "no-store"


def test_remains_recorded_on_the_page_wait_for_a_second_specialist(world: World) -> None:  # noqa: F811
    dana = world.client("forensic_specialist")
    token = csrf_of(dana, "/staff/forensic?lang=en")
    form = {"csrf_token": token, "source_org": "Morgue 0 (synthetic)", "sex": "M",
            "marks": "tattoo; left forearm; anchor", "date_found": "2025-09-01"}  # fmt: skip
    created = dana.post("/staff/forensic/remains", data=form, follow_redirects=False)
    assert created.status_code == 303
    page = dana.get(created.headers["location"] + "?lang=en")
    assert "Morgue 0 (synthetic)" in page.text
    propose = {"csrf_token": token, "case_id": str(world.ids["case_id"]), "method": "visual"}
    dana.post(created.headers["location"] + "/identify", data=propose)
    page = dana.get(created.headers["location"] + "?lang=en")
    assert "Proposed; waiting for a second forensic specialist." in page.text
    dana.post(
        created.headers["location"] + "/approve",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    page = dana.get(created.headers["location"] + "?lang=en")
    assert "A second forensic specialist must approve the identification." in page.text
    assert "Approved by a second forensic specialist." not in page.text


def test_the_familys_status_page_never_links_a_remains_photo(world: World) -> None:  # noqa: F811
    family = world.fresh("anonymous")
    token = csrf_of(family, "/status")
    form = {"csrf_token": token, "reference": world.reference, "secret": world.secret}
    page = family.post("/status", data=form)
    assert page.status_code == 200
    assert "/staff/forensic" not in page.text and "image/png" not in page.text
