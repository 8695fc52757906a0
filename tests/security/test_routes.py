"""Every registered route × every role, and every record of another scope (issue 6 item 1).

The expected rule comes from the Action table (deny by default): a role listed for the route's
Action gets in, anyone else is refused — anonymous visitors are sent to sign in, signed-in
staff get 403. Then a caseworker of organisation B, who holds the same Actions as Alice, aims
at every record of organisation A through every route with an id and gets 0 successes; and a
family's secret opens no other family's reference.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.security.conftest import SOUGHT, SURNAME, World, csrf_of, fill_path

from kintrace.domain import Role
from kintrace.domain.permissions import Action
from kintrace.web.deps import declared_action, walk_routes

IDENTITIES = ["anonymous", *(r.value for r in Role if r is not Role.enquirer)]
IDENTITIES.append("other_org_caseworker")
SIGN_OUT_PATHS = {"/staff/logout", "/account/sign-out-everywhere"}
ENROLMENT_PATHS = {"/account/totp"}
# One form with a plausible value for every field any staff form reads, so a route that would
# act on A's record gets the chance to.
EVERY_FIELD = {
    "judgement": "positive",
    "reason": "Same man.",
    "kind": "alive",
    "content": "Жив.",
    "body": "Мама передає привіт.",
    "step": "approved",
    "channel": "phone",
    "support": "yes",
    "stage": "closed",
    "identity": "true",
    "relationship": "true",
    "knowledge_asked": "3",
    "knowledge_matched": "3",
}


def role_of(identity: str) -> str | None:
    if identity == "anonymous":
        return None
    return "caseworker" if identity == "other_org_caseworker" else identity


def every_route(world: World) -> list[tuple[str, str, Action]]:
    found = []
    for route in walk_routes(world.app.routes):
        action = declared_action(route)
        assert action is not None, route.path
        methods = sorted(getattr(route, "methods", None) or ["GET"])
        for method in methods:
            if method == "HEAD":
                continue
            found.append((method, route.path, action))
    # Sign-out routes last: they end the identity's session.
    return sorted(found, key=lambda item: item[1] in SIGN_OUT_PATHS)


def call(client: TestClient, method: str, path: str, token: str) -> Any:
    if path == "/static":
        path = "/static/style.css"
    if method == "GET":
        return client.get(path, follow_redirects=False)
    if path.startswith("/api/"):
        return client.post(path, json={}, follow_redirects=False)
    return client.post(path, data={**EVERY_FIELD, "csrf_token": token}, follow_redirects=False)


def refused(response: Any, signed_in: bool) -> bool:
    """The permission layer's refusal: 403 for staff; for anonymous visitors, the way to the
    sign-in page (pages) or 401 (API). A 401 from the sign-in form is a wrong password."""
    if signed_in:
        return response.status_code == 403
    if response.status_code == 401:
        return str(response.url.path).startswith("/api/")
    return response.status_code == 303 and response.headers["location"].startswith("/staff/login")


def test_the_walk_covers_pages_api_casework_hotline_and_accounts(world: World) -> None:
    paths = {path for _, path, _ in every_route(world)}
    expected = {"/enquiry", "/status", "/api/v1/enquiries/{reference}", "/staff/cases/{case_id}"}
    expected |= {"/staff/hotline", "/account/totp", "/account/sign-out-everywhere", "/static"}
    assert expected <= paths


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_route_lets_in_exactly_the_roles_its_action_names(
    world: World, identity: str
) -> None:
    role = role_of(identity)
    client = world.fresh(identity)
    token = csrf_of(client, "/status")
    wrong: list[str] = []
    for method, path, action in every_route(world):
        may = action.public or (role is not None and role in action.roles)
        if path in SIGN_OUT_PATHS and role is not None:
            client = world.fresh(identity)  # the previous sign-out ended the session
            token = csrf_of(client, "/status")
        if path in ENROLMENT_PATHS:
            # Public, but the route itself admits only someone who has just given a right
            # password for an account still without a second factor: nobody here.
            may = False
        response = call(client, method, fill_path(path, world), token)
        if may:
            ok = not refused(response, True) and not refused(response, False)
            ok = ok and response.status_code < 500
        elif path in ENROLMENT_PATHS:
            ok = response.status_code == 303 and response.headers["location"] == "/staff/login"
        else:
            ok = refused(response, signed_in=role is not None)
        if not ok:
            wrong.append(f"{method} {path}: {response.status_code} (allowed: {may})")
        if may and role == "analyst" and method == "GET":
            # The analyst sees aggregates only, never a name.
            assert SURNAME not in response.text, path
    assert wrong == [], wrong


def test_a_caseworker_of_another_organisation_reaches_no_record_of_a(world: World) -> None:
    charlie = world.fresh("other_org_caseworker")
    token = csrf_of(charlie, "/status")
    successes: list[str] = []
    tried = 0
    for method, path, action in every_route(world):
        if "{" not in path or action.public:
            continue
        tried += 1
        response = call(charlie, method, fill_path(path, world), token)
        if response.status_code not in {403, 404}:
            successes.append(f"{method} {path}: {response.status_code}")
        assert SURNAME not in response.text
    assert tried >= 12  # every casework route with an id was tried
    assert successes == []
    # And his own lists show nothing of A's.
    for path in ("/staff", "/staff/cases", "/staff/approvals"):
        page = charlie.get(path)
        assert SURNAME not in page.text, path


def test_a_familys_secret_opens_no_other_familys_reference(world: World) -> None:
    family = world.fresh("anonymous")
    token = csrf_of(family, "/status")
    form = {"csrf_token": token, "reference": world.reference, "secret": world.other_secret}
    for path in ("/status", "/enquiry/receipt", "/status/message"):
        response = family.post(path, data={**form, "body": "Привіт"})
        assert response.status_code == 404, path
        assert SURNAME not in response.text
    api = family.get(
        f"/api/v1/enquiries/{world.reference}", headers={"X-Enquiry-Secret": world.other_secret}
    )
    assert api.status_code == 404 and SOUGHT not in api.text
    # Its own secret still opens it (the refusals above are about scope, not a broken lookup).
    own = family.get(
        f"/api/v1/enquiries/{world.reference}", headers={"X-Enquiry-Secret": world.secret}
    )
    assert own.status_code == 200 and own.json()["sought_name"] == SOUGHT


def test_every_form_post_without_its_csrf_token_is_refused(world: World) -> None:
    refused_posts = 0
    clients: dict[str, TestClient] = {}
    for method, path, action in every_route(world):
        if method != "POST" or path.startswith("/api/"):
            continue
        role = next(iter(sorted(action.roles)), None)
        identity = "anonymous" if action.public else role
        assert identity is not None, path
        # Signed in once per identity for this walk: a refused post changes nothing.
        if identity not in clients:
            clients[identity] = world.fresh(identity)
        client = clients[identity]
        target = fill_path(path, world) + "?lang=en"
        response = client.post(target, data=EVERY_FIELD, follow_redirects=False)
        assert response.status_code == 400, (path, response.status_code)
        assert "This form has expired or was sent from another page" in response.text, path
        refused_posts += 1
    assert refused_posts >= 20


def test_the_api_refuses_form_bodies_so_a_cross_site_form_cannot_post_to_it(world: World) -> None:
    client = world.fresh("anonymous")
    response = client.post("/api/v1/enquiries", data={"consent": "true"})
    assert response.status_code == 415


# The app's own middleware: wrappers that answer no route of their own.
WRAPPERS = {
    "AdmissionMiddleware",
    "SecurityHeadersMiddleware",
    "SessionMiddleware",
    "RequestGuardMiddleware",
}


def test_a_lean_door_answers_only_routes_that_declare_the_same_action(world: World) -> None:
    """A pure-ASGI fast path in front of the app (the enquiry submit's) must name each
    method and path it answers; each must be a registered route, walked above, declaring the
    very Action the door checks — so no route can be answered outside this test."""
    routes = {(method, path): action for method, path, action in every_route(world)}
    doors = []
    for middleware in world.app.user_middleware:
        name = getattr(middleware.cls, "__name__", "")
        lean_routes = getattr(middleware.cls, "lean_routes", None)
        assert lean_routes is not None or name in WRAPPERS, f"{name} answers what?"
        for method, path in lean_routes or ():
            doors.append((method, path))
            assert routes.get((method, path)) == middleware.cls.kintrace_action, path
    assert ("POST", "/api/v1/enquiries") in doors
