"""Permissions as data: every route names an Action, and anything not granted is denied."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI

from kintrace.domain import Role
from kintrace.domain.permissions import ACTIONS, STAFF_ROLES, allowed, get_action
from kintrace.settings import Settings
from kintrace.web.app import create_app
from kintrace.web.deps import declared_action, require, walk_routes


class Someone:
    def __init__(self, role: Role | str | None, is_active: bool = True) -> None:
        self.role = role
        self.is_active = is_active


@pytest.fixture
def app(data_dir: Path) -> FastAPI:
    # The route table does not need a database; SQLite in the data dir is never opened.
    return create_app(Settings(data_dir=data_dir, environment="test"))


def routes_without_action(app: FastAPI) -> list[str]:
    return [
        f"{sorted(getattr(route, 'methods', None) or ['*'])} {route.path}"
        for route in walk_routes(app.routes)
        if declared_action(route) is None
    ]


def test_every_registered_route_declares_its_action(app: FastAPI) -> None:
    routes = list(walk_routes(app.routes))
    paths = {route.path for route in routes}
    # The walk must see the API, the pages and the static mount, not only the top level.
    assert {"/api/v1/enquiries", "/enquiry", "/staff", "/static"} <= paths
    assert routes_without_action(app) == []


def test_the_walk_catches_a_route_that_declares_no_action(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/forgotten")
    def forgotten() -> dict[str, str]:
        return {}

    app.include_router(router)
    assert routes_without_action(app) == ["['GET'] /forgotten"]


def test_a_typo_in_an_action_name_fails_when_the_route_is_declared() -> None:
    with pytest.raises(KeyError, match=r"staff\.dashbord\.view"):
        require("staff.dashbord.view")


def test_every_action_has_a_description_and_a_dotted_name() -> None:
    for name, action in ACTIONS.items():
        assert action.name == name
        assert name.count(".") >= 2, name
        assert action.description.endswith("."), name


def test_anonymous_visitors_may_file_and_read_their_own_enquiry_only() -> None:
    assert allowed("public.enquiry.create", None)
    assert allowed("public.enquiry.read_own", None)
    assert not allowed("staff.dashboard.view", None)
    assert not allowed("staff.enquiry.read", None)


def test_unknown_actions_are_denied_to_everyone() -> None:
    assert not allowed("staff.anything.at_all", None)
    assert not allowed("staff.anything.at_all", Someone(Role.admin))


def test_every_staff_role_sees_the_dashboard_but_the_enquirer_role_does_not() -> None:
    for role in Role:
        expected = role.value in STAFF_ROLES
        assert allowed("staff.dashboard.view", Someone(role)) is expected, role


def test_an_analyst_may_not_read_enquiries_with_names() -> None:
    assert not allowed("staff.enquiry.read", Someone(Role.analyst))
    assert allowed("staff.enquiry.read", Someone(Role.caseworker))


def test_a_disabled_account_is_denied_everything_not_public() -> None:
    assert not allowed("staff.dashboard.view", Someone(Role.admin, is_active=False))
    assert allowed(get_action("public.enquiry.create"), Someone(Role.admin, is_active=False))


def test_the_permission_table_knows_every_staff_role_of_the_domain() -> None:
    assert {role.value for role in Role if role is not Role.enquirer} == set(STAFF_ROLES)
