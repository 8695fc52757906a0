"""Personal data at rest: what a thief of the database file, its WAL or a backup could read."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from anyascii import anyascii
from tests.factories import migrated_store

from kintrace.db.models import Enquiry, Report
from kintrace.intake.demo import seed_demo
from kintrace.keys import key_id_of
from kintrace.normalise.names import analyse_name

# Our own ciphertexts ("kt1:<key id>:<base64>") are random bytes; a name form found inside one
# would be chance, not a leak, so they are cut out before searching the files.
_CIPHERTEXT = re.compile(rb"kt1:[A-Za-z0-9-]+:[A-Za-z0-9+/]*={0,2}")
# Pages also keep stale fragments of ciphertexts (freed cell space after b-tree splits) that no
# longer start with "kt1:"; a short Latin form would turn up in such random base64 by chance
# (a 4-letter one about once per run, a 6-letter one about once in a thousand runs). Latin
# forms therefore count from 6 letters; shorter ones are still searched inside longer forms
# (whole names, transliterated names). Cyrillic forms cannot occur in base64 at all.
_MIN_LATIN = 6
_MIN_OTHER = 3


def name_forms(*names: str | None) -> set[str]:
    """Every form the engine (and a curious reader) derives from the given names."""
    forms: set[str] = set()
    for name in filter(None, names):
        analysis = analyse_name(name)
        derived = {
            analysis.given,
            analysis.patronymic,
            analysis.family,
            analysis.call_sign,
            *analysis.given_variants,
            *analysis.patronymic_variants,
            *analysis.family_variants,
            *analysis.tokens,
        }
        words = set(re.split(r"[\s,.()«»\"']+", name)) | {name}
        words |= {anyascii(w) for w in words}
        for form in derived | words:
            forms |= {form, form.lower(), form.upper(), form.title()}
    return {f for f in forms if len(f) >= (_MIN_LATIN if f.isascii() else _MIN_OTHER)}


def readable(path: Path) -> bytes:
    return _CIPHERTEXT.sub(b"", path.read_bytes())


@pytest.fixture
def seeded(tmp_path: Path):  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'kintrace.db'}"
    with migrated_store(data_dir, url) as store:
        with store.sessions.begin() as session:
            seed_demo(session, store.keys, seed=11, persons=40, enquiries=20)
        yield store, data_dir / "kintrace.db"


def test_no_name_form_of_a_seeded_person_is_in_the_database_its_wal_or_a_backup(
    seeded, tmp_path: Path
) -> None:
    store, db_file = seeded
    with store.sessions() as session:
        reports = session.scalars(sa.select(Report)).all()
        enquiries = session.scalars(sa.select(Enquiry)).all()
        names = [
            n
            for r in reports
            for n in (r.full_name, r.family_name, r.given_name, r.patronymic, r.mother_maiden_name)
        ] + [
            n
            for e in enquiries
            for n in (e.sought_full_name, e.sought_family_name, e.enquirer_name)
        ]
        contacts = [c for e in enquiries for c in (e.enquirer_email, e.enquirer_phone) if c]
    assert len(reports) > 40 and len(enquiries) > 10
    forms = name_forms(*names) | set(contacts)
    assert len(forms) > 500

    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(db_file) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    wal = db_file.with_name(db_file.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0, "the WAL should still hold the seed"

    for path in (db_file, wal, backup):
        haystack = readable(path)
        found = sorted(f for f in forms if f.encode() in haystack)
        assert found == [], f"{path.name} reveals {found[:10]}"


def test_each_personal_value_is_stored_as_a_ciphertext_naming_its_key(seeded) -> None:
    store, _ = seeded
    with store.engine.connect() as conn:
        raw = conn.execute(
            sa.text("SELECT reference, sought_full_name, enquirer_name FROM enquiry")
        ).all()
        report_names = conn.execute(sa.text("SELECT full_name FROM report")).scalars().all()
    for reference, sought, enquirer in raw:
        # Each enquiry has its own data key, so disposing of it can destroy that key.
        assert key_id_of(sought) == key_id_of(enquirer) == f"enquiry-{reference}"
    assert {key_id_of(name) for name in report_names if name} == {store.keys.ring.current_id}


def test_the_service_reads_back_exactly_what_was_written(seeded) -> None:
    store, _ = seeded
    with store.sessions() as session:
        enquiry = session.scalars(sa.select(Enquiry).limit(1)).one()
        name, email = enquiry.sought_full_name, enquiry.enquirer_email
    assert name and "kt1:" not in name
    with store.sessions.begin() as session:
        again = session.get(Enquiry, enquiry.id)
        assert again is not None and again.sought_full_name == name
        again.enquirer_email = "new.address@example.org"
    with store.sessions() as session:
        stored = session.get(Enquiry, enquiry.id)
        assert stored is not None
        assert (stored.sought_full_name, stored.enquirer_email) == (
            name,
            "new.address@example.org",
        )
    assert email != "new.address@example.org"


def test_the_search_finds_a_name_that_is_stored_in_clear(seeded) -> None:
    # The control for the first test: a name put into a column that is not sealed is found.
    store, db_file = seeded
    with store.sessions.begin() as session:
        report = session.scalars(sa.select(Report).where(Report.family_name.is_not(None))).first()
        assert report is not None
        forms = name_forms(report.family_name)
        report.source_document_ref = (report.family_name or "").upper()
    wal = db_file.with_name(db_file.name + "-wal")
    assert any(f.encode() in readable(wal) for f in forms)
