"""A small world for the attack tests: every staff role in organisation A, a caseworker of
organisation B, and one family's enquiry in A carried through casework (match, decision,
answer, message), so every route with an id parameter has a real record of A to aim at.

Built once per module on SQLite (the rules under test are in the code, not in the database;
the casework tests run the same scoping on PostgreSQL too). All people are synthetic.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.factories import PASSWORD, TOTP_SEED, add_personas, make_settings, totp_code
from tests.review.conftest import add_report, add_source
from tests.web.conftest import CSRF_RE, Web, build_web, form_fields, receipt_codes

from kintrace.db import upgrade
from kintrace.db.models import Disclosure, Enquiry, Match, MatchDecision, Message, Report, User
from kintrace.db.models_attachments import CaseAttachment
from kintrace.db.models_forensic import ForensicPhoto, Identification, UnidentifiedRemains
from kintrace.domain import Role
from kintrace.intake.staff import create_user
from kintrace.review.persons import cluster_reports
from kintrace.review.worker import MatchWorker
from kintrace.web.app import create_app

# The sought person's name as the family typed it: no page an analyst may see can show it.
SOUGHT = "Жабокрицький Остап Мирославович"
SURNAME = "Жабокриц"
OTHER_ROLES = (Role.hotline_operator, Role.source_officer, Role.forensic_specialist)
OTHER_ROLES += (Role.analyst, Role.admin)
# Each signed-in client gets its own address so the per-address sign-in throttle counts each
# identity apart, as it would for people on different machines.
_addresses = (f"10.0.0.{n}" for n in itertools.count(2))


def email_of(role: str, twin: int = 0) -> str:
    """The identity's account; ``twin`` 1.. names a colleague of the same role and organisation."""
    email = {
        "caseworker": "alice@a.example.org",
        "supervisor": "bob@a.example.org",
        "other_org_caseworker": "charlie@b.example.org",
    }.get(role, f"{role.replace('_', '-')}@a.example.org")
    local, _, domain = email.partition("@")
    return f"{local}{twin}@{domain}" if twin else email


# An authenticator code signs an account in once (issue 6), and the world's tests sign each
# identity in again and again (after every sign-out): they take turns among this many accounts
# of the same role, as colleagues would, instead of waiting for the app's next code.
TWINS = 3


def new_client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(next(_addresses), 50000))


def csrf_of(client: TestClient, path: str = "/staff/login?lang=en") -> str:
    found = CSRF_RE.search(client.get(path).text)
    assert found, path
    return found.group(1)


def sign_in(client: TestClient, email: str, seed: str | None = TOTP_SEED) -> Any:
    form = {"csrf_token": csrf_of(client), "email": email, "password": PASSWORD, "next": "/staff"}
    if seed:
        form["code"] = totp_code(seed, f"{client.app.state.engine.url}|{email}")
    return client.post("/staff/login", data=form, follow_redirects=False)


@dataclass
class World:
    app: FastAPI
    ids: dict[str, int]
    reference: str
    secret: str
    other_reference: str
    other_secret: str
    clients: dict[str, TestClient] = field(default_factory=dict)
    sign_ins: dict[str, int] = field(default_factory=dict)

    def client(self, identity: str) -> TestClient:
        """A client signed in as ``identity`` (a role of A, "other_org_caseworker" of B, or
        "anonymous"), made once and reused."""
        if identity not in self.clients:
            client = new_client(self.app)
            if identity != "anonymous":
                turn = self.sign_ins.get(identity, 0)
                self.sign_ins[identity] = turn + 1
                response = sign_in(client, email_of(identity, turn % TWINS))
                assert response.status_code == 303, (identity, response.status_code)
            self.clients[identity] = client
        return self.clients[identity]

    def fresh(self, identity: str) -> TestClient:
        self.clients.pop(identity, None)
        return self.client(identity)


def _file_enquiry(client: TestClient, name: str) -> dict[str, str]:
    token = csrf_of(client, "/enquiry?lang=ru")
    fields = form_fields(**{"sought__full_name": name, "enquirer__language": "ru"})
    response = client.post("/enquiry?lang=ru", data={**fields, "csrf_token": token})
    assert response.status_code == 201
    return receipt_codes(response.text)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root: Path = tmp_path_factory.mktemp("security")
    settings = make_settings(root / "data", f"sqlite:///{root / 'world.sqlite3'}")
    upgrade(settings)
    app = create_app(settings)
    with TestClient(app):  # runs the lifespan once; each identity has its own client after
        sessions = app.state.sessionmaker
        with sessions.begin() as session:
            personas = add_personas(session)
            for role in OTHER_ROLES:
                create_user(
                    session,
                    email_of(role.value),
                    PASSWORD,
                    role,
                    personas.org_a,
                    totp_secret=TOTP_SEED,
                )
            org_of = {"other_org_caseworker": personas.org_b}
            roles = {"caseworker": Role.caseworker, "supervisor": Role.supervisor}
            roles |= {"other_org_caseworker": Role.caseworker}
            roles |= {role.value: role for role in OTHER_ROLES}
            for identity, role in roles.items():
                for twin in range(1, TWINS):
                    create_user(
                        session,
                        email_of(identity, twin),
                        PASSWORD,
                        role,
                        org_of.get(identity, personas.org_a),
                        totp_secret=TOTP_SEED,
                    )
            # A spare account of A for the administrator's account routes to act on, so
            # disabling it or removing its authenticator leaves every identity above intact.
            spare = create_user(
                session,
                "spare@a.example.org",
                PASSWORD,
                Role.caseworker,
                personas.org_a,
                totp_secret=TOTP_SEED,
            )
            spare_id = spare.id
            add_report(
                session,
                add_source(session),
                full_name=SOUGHT,
                birth_date="2001-03-12",
                sex="M",
                event_date="2025-06-01",
                internment_place="Колония № 0 (synthetic)",
            )
        family = new_client(app)
        codes = _file_enquiry(family, SOUGHT)
        other = _file_enquiry(family, "Петренко Олег Иванович")
        MatchWorker(sessions).drain()
        with sessions() as session:
            enquiry = session.scalar(
                sa.select(Enquiry).where(Enquiry.reference == codes["reference"])
            )
            match = session.scalars(
                sa.select(Match)
                .where(Match.enquiry_id == enquiry.id)
                .order_by(Match.probability.desc())
            ).first()
            assert enquiry is not None and match is not None
            ids = {"case_id": enquiry.case_id, "enquiry_id": enquiry.id, "match_id": match.id}
        with sessions.begin() as session:  # the matched report's person (issue 4 item 4)
            # The match worker has clustered it already; clustering again changes nothing.
            person_id = session.get(Report, match.report_id).person_id  # type: ignore[union-attr]
            ids["person_id"] = (
                person_id or cluster_reports(session, [match.report_id])[match.report_id]
            )
            ids["report_id"] = match.report_id
            ids["user_id"] = spare_id

        world = World(
            app, ids, codes["reference"], codes["secret"], other["reference"], other["secret"]
        )
        alice = world.client("caseworker")
        token = csrf_of(alice, "/staff")
        for path, data in (
            (
                f"/staff/matches/{match.id}/decision",
                {"judgement": "positive", "reason": "Same man."},
            ),
            (
                f"/staff/enquiries/{enquiry.id}/verification",
                {"identity": "true", "relationship": "true"}
                | {"knowledge_asked": "3", "knowledge_matched": "3"},
            ),
            (f"/staff/enquiries/{enquiry.id}/answers", {"kind": "alive", "content": "Жив."}),
            (f"/staff/enquiries/{enquiry.id}/messages", {"body": "Мама передає привіт."}),
        ):
            response = alice.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
            assert response.status_code == 303, path
        with sessions() as session:
            ids["decision_id"] = session.scalar(sa.select(sa.func.max(MatchDecision.id)))
            ids["disclosure_id"] = session.scalar(sa.select(sa.func.max(Disclosure.id)))
            ids["message_id"] = session.scalar(sa.select(sa.func.max(Message.id)))
        with sessions.begin() as session:
            # Issue 10: a remains record with a photo, for the forensic routes.
            remains = UnidentifiedRemains(source_org="Morgue 0 (synthetic)", descriptors={},
                                          created_by=session.scalar(sa.select(sa.func.min(User.id))))  # fmt: skip
            session.add(remains)
            session.flush()
            photo = ForensicPhoto(remains_id=remains.id, content_type="image/png", data=b"png")
            session.add(photo)
            session.flush()
            ids["remains_id"], ids["photo_id"] = remains.id, photo.id
            # An approved identification of A's case (return planning) and a scanned reply.
            users = list(session.scalars(sa.select(User.id).order_by(User.id).limit(2)))
            ident = Identification(remains_id=remains.id, case_id=ids["case_id"], method="visual",
                                   proposed_by=users[0], approved_by=users[1],
                                   approved_at=datetime.now(UTC))  # fmt: skip
            attachment = CaseAttachment(case_id=ids["case_id"], kind="reply",
                                        content_type="image/png", data=b"png",
                                        uploaded_by=users[0])  # fmt: skip
            session.add_all([ident, attachment])
            session.flush()
            ids["identification_id"], ids["attachment_id"] = ident.id, attachment.id
        assert all(ids.values()), ids
        yield world
        for client in world.clients.values():
            client.close()
        family.close()


def fill_path(path: str, world: World) -> str:
    """The route's path with every parameter set to a record of organisation A."""
    values = {**{k: str(v) for k, v in world.ids.items()}, "reference": world.reference}

    def one(found: re.Match[str]) -> str:
        name = found.group(1).split(":")[0]
        assert name in values, f"add a record of A for the route parameter {{{name}}}"
        return values[name]

    return re.sub(r"\{([^}]+)\}", one, path)


@pytest.fixture
def web(database_url: str, data_dir: Path) -> Iterator[Web]:
    """A fresh app on SQLite and PostgreSQL (throttle counts and sessions live in the database)."""
    yield from build_web(data_dir, database_url)
