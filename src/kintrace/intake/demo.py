"""The demo data set: organisations, graded sources, ~2,000 reports, ~300 enquiries and one
staff account per role, all from the synthetic generator (never real people).

Seeding happens once: a database that already holds an organisation is left alone.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import pyotp
import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kintrace import audit
from kintrace.audit.events import DemoSeeded
from kintrace.db.models import Organisation, Report, Source
from kintrace.domain import (
    STAFF_ROLES,
    Credibility,
    OrganisationKind,
    Reliability,
    Role,
    SourceKind,
)
from kintrace.intake.dates import parse_partial_date
from kintrace.intake.enquiries import EnquiryIn, EnquiryReceipt, submit_enquiry
from kintrace.intake.staff import create_user, get_or_create_organisation
from kintrace.keys import Keys
from kintrace.synthetic import SOURCES, SynthEnquiry, SynthReport, make_world

DEMO_SEED = 2026
# ~1,160 synthetic people give ~2,000 reports and ~400 enquiries; 300 enquiries are kept.
DEMO_PERSONS = 1160
DEMO_ENQUIRIES = 300
DEMO_EMAIL_DOMAIN = "demo.example.org"

_SOURCE_KIND = {
    "bureau": SourceKind.bureau_list,
    "hospital": SourceKind.hospital,
    "ngo": SourceKind.ngo,
    "media": SourceKind.media,
    "person": SourceKind.person,
}
_ORGANISATIONS = [
    # code, name, kind, the party whose sources it runs ("" = neutral)
    ("KT", "Neutral tracing agency (demo)", OrganisationKind.tracing_agency, ""),
    ("NIB-UA", "Національне інформаційне бюро (демо)", OrganisationKind.information_bureau, "ua"),
    (
        "NIB-RU",
        "Национальное информационное бюро (демо)",
        OrganisationKind.information_bureau,
        "ru",
    ),
]
_PLACE_IS_GRAVE = {"dead", "remains_located"}

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str
    totp_secret: str


@dataclass
class DemoResult:
    seeded: bool
    organisations: int = 0
    sources: int = 0
    reports: int = 0
    enquiries: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    # One enquiry a visitor can open on the status page (reference + secret).
    sample_enquiry: EnquiryReceipt | None = None


def is_seeded(session: Session) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(Organisation)) != 0


def _date(text: str) -> str | None:
    return parse_partial_date(text) if text else None


def _report_row(report: SynthReport, source_id: int) -> dict[str, object]:
    place = report.place or None
    return {
        "source_id": source_id,
        "report_type": report.report_type,
        "event_date": report.event_date.isoformat() if report.event_date else None,
        "external_id": report.report_id,
        "full_name": report.full_name or None,
        "family_name": report.family_name or None,
        "given_name": report.given_name or None,
        "patronymic": report.patronymic or None,
        "mother_maiden_name": report.mother_maiden_name or None,
        "sex": report.sex or None,
        "birth_date": _date(report.birth_date),
        "birth_place": report.birth_place or None,
        "rank": report.rank or None,
        "service_number": report.service_number or None,
        "military_unit": report.military_unit or None,
        "capture_date": _date(report.capture_date),
        "capture_place": report.capture_place or None,
        "internment_place": None if report.report_type in _PLACE_IS_GRAVE else place,
        "grave_location": place if report.report_type in _PLACE_IS_GRAVE else None,
        "detaining_power": report.detaining_power or None,
        "country_held": report.held_in_country or None,
        "credibility": Credibility.cannot_be_judged.value,
    }


def _enquiry_in(enquiry: SynthEnquiry) -> EnquiryIn:
    return EnquiryIn.model_validate(
        {
            "sought": {
                "full_name": enquiry.full_name,
                "family_name": enquiry.family_name,
                "given_name": enquiry.given_name,
                "patronymic": enquiry.patronymic,
                "sex": enquiry.sex,
                "birth_date": enquiry.birth_date,
                "birth_place": enquiry.birth_place,
                "military": not enquiry.civilian,
                "military_unit": enquiry.military_unit,
                "last_known_place": enquiry.last_known_place,
                "last_known_date": enquiry.last_known_date,
                "circumstances": enquiry.circumstances,
            },
            "enquirer": {
                "name": enquiry.enquirer_name,
                "relationship": enquiry.relationship,
                "email": enquiry.email,
                "phone": enquiry.phone,
                "language": enquiry.language,
            },
            "consent": True,
        }
    )


def seed_demo(
    session: Session,
    keys: Keys,
    *,
    seed: int = DEMO_SEED,
    persons: int = DEMO_PERSONS,
    enquiries: int = DEMO_ENQUIRIES,
    progress: Progress | None = None,
) -> DemoResult:
    """Load the demo data set into an empty database (caller commits); no-op when seeded."""
    if is_seeded(session):
        return DemoResult(seeded=False)
    step = progress or (lambda _label, _done, _total: None)
    world = make_world(seed=seed, persons=persons)

    orgs: dict[str, Organisation] = {}
    for code, name, kind, party in _ORGANISATIONS:
        orgs[party] = get_or_create_organisation(session, code, name=name, kind=kind)

    source_ids: dict[str, int] = {}
    for synth in SOURCES:
        source = Source(
            name=synth.name,
            organisation_id=orgs.get(synth.party, orgs[""]).id,
            kind=_SOURCE_KIND.get(synth.kind, SourceKind.other),
            reliability=Reliability(synth.reliability),
            default_credibility=Credibility(str(synth.credibility)),
        )
        session.add(source)
        session.flush()
        source_ids[synth.name] = source.id

    neutral_source_id = next(
        source_ids[s.name] for s in SOURCES if not s.party and s.kind == "bureau"
    )
    credibility = {s.name: str(s.credibility) for s in SOURCES}
    total = len(world.reports)
    batch: list[dict[str, object]] = []
    for done, report in enumerate(world.reports, start=1):
        row = _report_row(report, source_ids[report.source])
        row["credibility"] = credibility.get(report.source, row["credibility"])
        batch.append(row)
        if len(batch) == 500 or done == total:
            session.execute(sa.insert(Report), batch)
            batch.clear()
            step("reports", done, total)

    wanted = min(enquiries, len(world.enquiries))
    stored = 0
    sample: EnquiryReceipt | None = None
    for synth_enquiry in world.enquiries:
        if stored == wanted:
            break
        try:
            data = _enquiry_in(synth_enquiry)
        except ValidationError:
            continue  # the generator may produce a value the form would refuse; skip it
        receipt = submit_enquiry(session, data, channel="web", keys=keys)
        sample = sample or receipt
        stored += 1
        step("enquiries", stored, wanted)

    logins: list[DemoLogin] = []
    for role in STAFF_ROLES:
        login = DemoLogin(
            role=role.value,
            email=f"{role.value.replace('_', '-')}@{DEMO_EMAIL_DOMAIN}",
            password=secrets.token_urlsafe(12),
            totp_secret=pyotp.random_base32(),
        )
        user = create_user(
            session, login.email, login.password, role, orgs[""], totp_secret=login.totp_secret
        )
        if role is Role.source_officer:
            # A source officer reports for one source: the neutral agency's capture cards.
            user.source_id = neutral_source_id
        logins.append(login)
        step("staff accounts", len(logins), len(STAFF_ROLES))

    audit.record(
        session,
        DemoSeeded(
            organisations=len(orgs),
            sources=len(source_ids),
            reports=total,
            enquiries=stored,
            users=len(logins),
            seed=seed,
        ),
    )
    return DemoResult(
        seeded=True,
        organisations=len(orgs),
        sources=len(source_ids),
        reports=total,
        enquiries=stored,
        logins=logins,
        sample_enquiry=sample,
    )
