"""Permissions declared as data and asked one way (after datasette's ``default_actions.py``).

Every route of the web service names one Action from ``ACTIONS``; views ask
``allowed(action, actor, resource)``. Anything not granted here is denied: an unknown action
name, an actor without a role, a role not listed for the action.

Roles are compared by their string value so this table stays a plain, readable list and works
with the ``Role`` enum (a ``StrEnum``) as well as with the role names stored in the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from kintrace.domain.enums import STAFF_ROLES as _STAFF_ROLE_ENUMS
from kintrace.domain.enums import Role

# Everybody on the staff side; the enquirer (a family without an account) is not staff.
STAFF_ROLES: frozenset[str] = frozenset(role.value for role in _STAFF_ROLE_ENUMS)


def _roles(*roles: Role) -> frozenset[str]:
    return frozenset(role.value for role in roles)


@dataclass(frozen=True, slots=True)
class Action:
    """Something a person may try to do, and who may do it.

    ``public`` actions are open to anyone, including people without an account (a family
    filing an enquiry). Otherwise only an actor whose role is in ``roles`` may do it.
    """

    name: str
    description: str
    public: bool = False
    roles: frozenset[str] = frozenset()


class Actor(Protocol):
    """Whoever makes a request: a signed-in staff member (a ``User``) or nobody (``None``)."""

    role: Any


def _actions(*actions: Action) -> dict[str, Action]:
    return {action.name: action for action in actions}


ACTIONS: dict[str, Action] = _actions(
    Action("public.page.view", "Read the public pages (home, help, error pages).", public=True),
    Action("public.static.read", "Fetch style sheets, scripts and images.", public=True),
    Action("public.api.schema", "Read the OpenAPI description of the JSON API.", public=True),
    Action("public.health.check", "Ask whether the service is up.", public=True),
    Action(
        "public.enquiry.create",
        "File an enquiry about a missing person (family or their helper, no account needed).",
        public=True,
    ),
    Action(
        "public.enquiry.read_own",
        "Read one's own enquiry and its state with its reference and secret.",
        public=True,
    ),
    Action("public.session.login", "Open the staff sign-in page and sign in.", public=True),
    Action("staff.session.logout", "Sign out.", roles=STAFF_ROLES),
    Action(
        "staff.dashboard.view",
        "See the staff dashboard: counts of enquiries by state, never a name.",
        roles=STAFF_ROLES,
    ),
    Action(
        "staff.enquiry.create_for_caller",
        "File an enquiry on behalf of a caller on the hotline and record verbal consent.",
        roles=_roles(Role.hotline_operator, Role.caseworker, Role.supervisor, Role.admin),
    ),
    Action(
        "staff.enquiry.read",
        "Read enquiries of one's own organisation, with the family's details.",
        roles=_roles(Role.hotline_operator, Role.caseworker, Role.supervisor, Role.admin),
    ),
    Action(
        "staff.user.manage",
        "Add, change and disable staff accounts.",
        roles=_roles(Role.admin),
    ),
    # Casework (issue 5).
    Action(
        "staff.case.list",
        "See the work queue of one's own organisation's cases, most urgent first.",
        roles=_roles(Role.caseworker, Role.supervisor),
    ),
    Action(
        "staff.case.work",
        "Review matches, verify enquirers, draft answers and relay family messages on cases "
        "of one's own organisation.",
        roles=_roles(Role.caseworker, Role.supervisor),
    ),
    Action(
        "staff.disclosure.approve",
        "Approve a sensitive disclosure (a location, a death) that another person drafted.",
        roles=_roles(Role.supervisor),
    ),
    Action(
        "staff.hotline.use",
        "Use hotline mode: file an enquiry for a caller and read the codes aloud.",
        roles=_roles(Role.hotline_operator, Role.caseworker, Role.supervisor),
    ),
    Action(
        "staff.enquiry.reset_secret",
        "Give a verified family a new secret; the old one stops working.",
        roles=_roles(Role.hotline_operator, Role.caseworker, Role.supervisor),
    ),
    Action(
        "public.message.write",
        "Write a family message (at most 25 words) with one's reference and secret.",
        public=True,
    ),
)


def get_action(name: str) -> Action:
    """The Action called ``name``; a KeyError names the unknown action so typos fail loudly."""
    try:
        return ACTIONS[name]
    except KeyError:
        raise KeyError(f"No action called {name!r} is declared in the permission table.") from None


def _role_name(actor: Actor | None) -> str | None:
    role = getattr(actor, "role", None)
    if role is None:
        return None
    return str(getattr(role, "value", role))


def allowed(action: str | Action, actor: Actor | None, resource: object | None = None) -> bool:
    """Whether ``actor`` (None = an anonymous visitor) may do ``action`` on ``resource``.

    Deny by default: unknown actions and unlisted roles get False. ``resource`` is accepted now
    so later, organisation-scoped rules (a caseworker sees only her organisation's cases) slot
    in here without changing any caller.
    """
    name = action.name if isinstance(action, Action) else action
    declared = ACTIONS.get(name)
    if declared is None:
        return False
    if declared.public:
        return True
    if getattr(actor, "is_active", True) is False:
        return False
    role = _role_name(actor)
    return role is not None and role in declared.roles


def actions_for(role: str | None) -> Iterable[Action]:
    """The actions a role may do (None = anonymous), e.g. to show what a staff account can do."""
    for declared in ACTIONS.values():
        if declared.public or (role is not None and role in declared.roles):
            yield declared


# Issue 4: reports leave the instance only to a partner under a data-sharing agreement.
ACTIONS.update(
    _actions(
        Action(
            "staff.transfer.export",
            "Export reports (PFIF or exchange CSV) to a partner under a data-sharing agreement.",
            roles=_roles(Role.caseworker, Role.supervisor),
        ),
        Action(
            "staff.agreement.manage",
            "Record a data-sharing agreement with a partner organisation.",
            roles=_roles(Role.supervisor, Role.admin),
        ),
    )
)

# Issue 6 item 2: staff accounts look after their own sign-in.
ACTIONS.update(
    _actions(
        Action(
            "public.session.enrol_totp",
            "Set up the authenticator app right after a correct password (the route itself "
            "checks that the password step was passed).",
            public=True,
        ),
        Action(
            "staff.account.manage_own",
            "See one's own account and sign out on every device at once.",
            roles=STAFF_ROLES,
        ),
    )
)

# Issue 4 items 1, 2, 4: capture cards and bulk lists from source officers; persons.
ACTIONS.update(
    _actions(
        Action(
            "staff.report.create",
            "Fill in a capture card or another report for one's own source.",
            roles=_roles(Role.source_officer),
        ),
        Action(
            "staff.report.list_own",
            "See the reports of one's own source (never another source's).",
            roles=_roles(Role.source_officer),
        ),
        Action(
            "staff.import.run",
            "Upload a bulk list for one's own source: check the mapping, dry run, import.",
            roles=_roles(Role.source_officer),
        ),
        Action(
            "staff.person.read",
            "Read a person built from reports: timeline, fate with its basis and conflicts.",
            roles=_roles(Role.caseworker, Role.supervisor),
        ),
        Action(
            "staff.person.edit",
            "Record the person's own wishes and merge or unmerge reports of a person.",
            roles=_roles(Role.caseworker, Role.supervisor),
        ),
    )
)

# Issue 8: figures are aggregates only; analysts and supervisors read them and record claims.
ACTIONS.update(
    _actions(
        Action(
            "staff.figures.view",
            "See and export the published (suppressed) figures and the claimed totals; never "
            "a name or a way to the people behind a figure.",
            roles=_roles(Role.analyst, Role.supervisor),
        ),
        Action(
            "staff.figures.claim",
            "Record a total someone claimed in public, with who, when and a link to it.",
            roles=_roles(Role.analyst, Role.supervisor),
        ),
    )
)

# Issue 10: remains, their photos and identifications are for forensic specialists alone.
ACTIONS.update(
    _actions(
        Action(
            "staff.forensic.remains",
            "Record unidentified remains, see the ranked missing persons with the reasons, and "
            "propose or (as a second person) approve an identification.",
            roles=_roles(Role.forensic_specialist),
        ),
        Action(
            "staff.forensic.photo",
            "Open a photo of remains (never shown to anyone but forensic staff).",
            roles=_roles(Role.forensic_specialist),
        ),
    )
)

# Issue 6 item 4: the people who work a case can see who else read or changed it.
ACTIONS.update(
    _actions(
        Action(
            "staff.case.access_log",
            "See who looked at or changed a case of one's own organisation, from the audit log "
            "(staff accounts and record ids, no personal data of the family).",
            roles=_roles(Role.caseworker, Role.supervisor),
        ),
    )
)

# Issue 4 item 1: photos and scans of capture cards are personal data; never public.
ACTIONS.update(
    _actions(
        Action(
            "staff.report.scan.view",
            "Open the photo or scan of a capture card (EXIF stripped): the officer of its "
            "source, or a caseworker whose organisation's work reached the person.",
            roles=_roles(Role.source_officer, Role.caseworker, Role.supervisor),
        ),
    )
)
