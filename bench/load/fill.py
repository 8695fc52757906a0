"""Pre-fill a store for the load benchmark with bulk inserts: reports, enquiries, one caseworker.

The fill stands for history that was matched long ago: its enquiries and reports carry no
pending matching job and no audit events (the chain starts with the surge). All names are
synthetic combinations of common name parts; no real person is described.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import sqlalchemy as sa

from kintrace.db import make_engine, make_sessionmaker, upgrade
from kintrace.db.models import Enquiry, Report, Source
from kintrace.domain import Channel, EnquiryState, Language, Reliability, ReportType, Role
from kintrace.domain.ids import new_reference, new_secret
from kintrace.intake.enquiries import CONSENT_VERSION, _digest
from kintrace.intake.staff import create_user, get_or_create_organisation
from kintrace.keys import Keys
from kintrace.settings import Settings

FAMILY = [
    "Коваленко",
    "Бондар",
    "Ткаченко",
    "Шевчук",
    "Кравець",
    "Мельник",
    "Лисенко",
    "Гончаренко",
    "Савчук",
    "Руденко",
    "Кислиця",
    "Марченко",
    "Поліщук",
    "Олійник",
]
GIVEN = [
    "Сергій",
    "Андрій",
    "Олександр",
    "Дмитро",
    "Іван",
    "Микола",
    "Юрій",
    "Тарас",
    "Василь",
    "Петро",
    "Олег",
    "Богдан",
    "Роман",
    "Віктор",
]
PATRONYMIC = ["Вікторович", "Іванович", "Петрович", "Миколайович", "Олегович", "Юрійович"]
PLACES = ["Полтава", "Суми", "Чернігів", "Житомир", "Вінниця", "Херсон", "Дніпро", "Харків"]
STAFF_EMAIL = "bench-caseworker@load.example.org"
STAFF_PASSWORD = "bench load caseworker password"
CHUNK = 5000


def _person(rng: random.Random) -> dict[str, str]:
    family, given, patronymic = rng.choice(FAMILY), rng.choice(GIVEN), rng.choice(PATRONYMIC)
    year = rng.randint(1960, 2006)
    return {
        "full_name": f"{family} {given} {patronymic}",
        "family_name": family,
        "given_name": given,
        "patronymic": patronymic,
        "birth_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "birth_place": rng.choice(PLACES),
    }


def fill(
    settings: Settings,
    *,
    reports: int,
    enquiries: int,
    credentials: Path,
    seed: int = 20261127,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, float]:
    """Migrate and fill; writes the caseworker login and sample enquiry secrets to JSON."""
    step = progress or (lambda _label, _done, _total: None)
    rng = random.Random(seed)
    engine = make_engine(settings)
    timings: dict[str, float] = {}
    try:
        upgrade(settings, engine=engine)
        keys = Keys(settings)
        sessions = make_sessionmaker(engine)
        with sessions.begin() as session:
            org = get_or_create_organisation(session, settings.home_organisation, name="Bench")
            source = Source(name="Bench bureau list", reliability=Reliability("B"))
            session.add(source)
            session.flush()
            # Caseworkers must use a second factor; the client computes the current code.
            totp_secret = pyotp.random_base32()
            create_user(
                session, STAFF_EMAIL, STAFF_PASSWORD, Role.caseworker, org, totp_secret=totp_secret
            )
            org_id, source_id = org.id, source.id

        started = time.perf_counter()
        for start in range(0, reports, CHUNK):
            rows = []
            for _ in range(min(CHUNK, reports - start)):
                person = _person(rng)
                rows.append(
                    {
                        "source_id": source_id,
                        "report_type": rng.choice(
                            [ReportType.captured, ReportType.interned, ReportType.missing]
                        ),
                        "sex": "M",
                        **person,
                    }
                )
            with engine.begin() as conn:
                conn.execute(sa.insert(Report), rows)
            step("reports", start + len(rows), reports)
        timings["reports_s"] = time.perf_counter() - started

        started = time.perf_counter()
        samples: list[dict[str, str]] = []
        now = datetime.now(UTC)
        references: set[str] = set()
        for start in range(0, enquiries, CHUNK):
            rows = []
            for _ in range(min(CHUNK, enquiries - start)):
                reference = new_reference()
                while reference in references:
                    reference = new_reference()
                references.add(reference)
                secret = new_secret()
                if len(samples) < 5000:
                    samples.append({"reference": reference, "secret": secret})
                person = _person(rng)
                rows.append(
                    {
                        "reference": reference,
                        "secret_digest": _digest(keys, reference, secret),
                        "state": EnquiryState.received,
                        "channel": Channel.web,
                        "language": Language.uk,
                        "organisation_id": org_id,
                        "consent_given_at": now,
                        "consent_version": CONSENT_VERSION,
                        "created_at": now,
                        "updated_at": now,
                        **{f"sought_{k}": v for k, v in person.items()},
                        "enquirer_name": f"{person['family_name']} {rng.choice(GIVEN)}",
                        "enquirer_relationship": "parent",
                        "enquirer_email": f"family{start}@load.example.org",
                    }
                )
            with engine.begin() as conn:
                conn.execute(sa.insert(Enquiry), rows)
            step("enquiries", start + len(rows), enquiries)
        timings["enquiries_s"] = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    finally:
        engine.dispose()
    credentials.write_text(
        json.dumps(
            {
                "email": STAFF_EMAIL,
                "password": STAFF_PASSWORD,
                "totp_secret": totp_secret,
                "enquiries": samples,
            }
        )
    )
    return timings
