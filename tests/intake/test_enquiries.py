from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from tests.factories import Store, add_personas, enquiry_payload

from kintrace.db import make_engine, make_sessionmaker
from kintrace.db.models import AuditEvent, Enquiry, MatchJob
from kintrace.domain import EnquiryState
from kintrace.intake.enquiries import (
    ERROR_CODES,
    EnquiryIn,
    enquiry_counts_by_state,
    find_enquiry,
    submit_enquiry,
)
from kintrace.intake.staff import get_or_create_organisation


def submit(store: Store, **overrides: Any):  # type: ignore[no-untyped-def]
    with store.sessions.begin() as session:
        return submit_enquiry(
            session, EnquiryIn.model_validate(enquiry_payload(**overrides)),
            channel="web", keys=store.keys,
        )  # fmt: skip


def error_codes(payload: dict[str, Any]) -> dict[tuple[str | int, ...], str]:
    with pytest.raises(ValidationError) as caught:
        EnquiryIn.model_validate(payload)
    return {tuple(e["loc"]): e["type"] for e in caught.value.errors()}


def test_a_committed_enquiry_is_found_again_after_a_restart(store: Store) -> None:
    receipt = submit(store)
    store.engine.dispose()
    # A new engine is what a restarted service would open.
    engine = make_engine(store.settings)
    try:
        with make_sessionmaker(engine).begin() as session:
            status = find_enquiry(session, receipt.reference, receipt.secret, store.keys)
    finally:
        engine.dispose()
    assert status is not None
    assert status.state is EnquiryState.received
    assert status.sought_name == "Кислиця Сергій Вікторович"
    assert status.sought_birth_date == "2001-03-12"


def test_an_enquiry_whose_transaction_rolls_back_leaves_nothing_behind(store: Store) -> None:
    with store.sessions() as session:
        receipt = submit_enquiry(
            session, EnquiryIn.model_validate(enquiry_payload()), channel="web", keys=store.keys
        )
        session.rollback()
    with store.sessions.begin() as session:
        assert find_enquiry(session, receipt.reference, receipt.secret, store.keys) is None
        assert session.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_the_secret_is_never_stored_only_its_keyed_digest(store: Store, data_dir: Path) -> None:
    receipt = submit(store)
    with store.engine.connect() as conn:
        everything = [
            repr(tuple(row))
            for table in sa.inspect(store.engine).get_table_names()
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"'))
        ]
        digest = conn.scalar(sa.select(Enquiry.secret_digest))
    dump = "\n".join(everything)
    assert receipt.reference in dump
    assert receipt.secret not in dump
    assert receipt.secret.replace("-", "") not in dump
    assert digest == store.keys.hmac(f"{receipt.reference}\x00{receipt.secret}".encode())
    for file in data_dir.glob("kintrace.db*"):  # SQLite file and its WAL
        raw = file.read_bytes()
        assert receipt.secret.encode() not in raw
        assert receipt.secret.replace("-", "").encode() not in raw


def test_an_unknown_reference_and_a_wrong_secret_get_the_same_answer(store: Store) -> None:
    receipt = submit(store)
    wrong = receipt.secret[:-1] + ("2" if receipt.secret[-1] != "2" else "3")
    with store.sessions.begin() as session:
        assert find_enquiry(session, receipt.reference, wrong, store.keys) is None
        assert find_enquiry(session, "KT-2222-2222", receipt.secret, store.keys) is None
        assert find_enquiry(session, "not a reference", receipt.secret, store.keys) is None
        reads = session.scalar(sa.select(sa.func.count()).where(AuditEvent.kind == "enquiry.read"))
    assert reads == 0


def test_the_family_can_type_reference_and_secret_loosely_and_the_read_is_audited(
    store: Store,
) -> None:
    receipt = submit(store)
    with store.sessions.begin() as session:
        status = find_enquiry(
            session,
            receipt.reference.lower().replace("-", " "),
            receipt.secret.replace("-", "").lower(),
            store.keys,
        )
    assert status is not None and status.reference == receipt.reference
    with store.sessions() as session:
        kinds = session.scalars(sa.select(AuditEvent.kind).order_by(AuditEvent.seq)).all()
        detail = session.scalar(
            sa.select(AuditEvent.detail).where(AuditEvent.kind == "enquiry.read")
        )
    assert kinds == ["enquiry.received", "enquiry.read"]
    assert detail == {}


def test_a_new_enquiry_waits_in_the_matching_queue(store: Store) -> None:
    receipt = submit(store)
    with store.sessions() as session:
        job = session.scalars(sa.select(MatchJob)).one()
    assert (job.subject_type, job.subject_id, job.state.value) == (
        "enquiry", receipt.enquiry_id, "pending",
    )  # fmt: skip


def test_public_enquiries_go_to_the_organisation_that_runs_the_instance(store: Store) -> None:
    with store.sessions.begin() as session:
        home = get_or_create_organisation(session, "HOME").id
        other = get_or_create_organisation(session, "RUNS-IT").id
    receipt = submit(store)
    with store.sessions.begin() as session:
        named = submit_enquiry(
            session, EnquiryIn.model_validate(enquiry_payload()), channel="web",
            keys=store.keys, home_organisation="RUNS-IT",
        )  # fmt: skip
    with store.sessions() as session:
        assert session.get(Enquiry, receipt.enquiry_id).organisation_id == home  # type: ignore[union-attr]
        assert session.get(Enquiry, named.enquiry_id).organisation_id == other  # type: ignore[union-attr]


def test_counts_by_state_show_every_state_and_only_the_organisations_own(store: Store) -> None:
    with store.sessions.begin() as session:
        people = add_personas(session)
        org_a, org_b = people.org_a.id, people.org_b.id
    submit(store)
    submit(store)
    with store.sessions() as session:
        everyone = enquiry_counts_by_state(session)
        for_a = enquiry_counts_by_state(session, organisation_id=org_a)
        for_charlie = enquiry_counts_by_state(session, organisation_id=org_b)
    assert everyone == {s.value: (2 if s is EnquiryState.received else 0) for s in EnquiryState}
    assert for_a["received"] == 2
    assert sum(for_charlie.values()) == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("12.03.2001", "2001-03-12"),
        ("2001-03", "2001-03"),
        ("2001", "2001"),
        ("3.2001", "2001-03"),
        (" 12.03.2001 ", "2001-03-12"),
    ],
)
def test_partial_birth_dates_are_kept_as_typed_precision(typed: str, stored: str) -> None:
    data = EnquiryIn.model_validate(enquiry_payload(sought__birth_date=typed))
    assert data.sought.birth_date == stored


@pytest.mark.parametrize(
    ("overrides", "where", "code"),
    [
        ({"sought__birth_date": "31.02.2001"}, ("sought", "birth_date"), "date_invalid"),
        ({"sought__birth_date": "yesterday"}, ("sought", "birth_date"), "date_invalid"),
        ({"sought__birth_date": "1066"}, ("sought", "birth_date"), "date_too_old"),
        ({"sought__last_known_date": "2999"}, ("sought", "last_known_date"), "date_in_future"),
        ({"sought__full_name": "", "sought__family_name": " "}, ("sought",), "name_missing"),
        ({"sought__full_name": "Я" * 401}, ("sought", "full_name"), "too_long"),
        ({"sought__sex": "X"}, ("sought", "sex"), "sex_invalid"),
        ({"enquirer__email": "", "enquirer__phone": ""}, ("enquirer",), "contact_missing"),
        ({"enquirer__email": "hanna@"}, ("enquirer", "email"), "email_invalid"),
        ({"enquirer__phone": "12"}, ("enquirer", "phone"), "phone_invalid"),
        ({"enquirer__language": "de"}, ("enquirer", "language"), "language_invalid"),
        ({"enquirer__name": "  "}, ("enquirer", "name"), "required"),
        ({"consent": False}, ("consent",), "consent_required"),
        ({"sought__nickname": "x"}, ("sought", "nickname"), "extra_forbidden"),
    ],
)
def test_each_bad_field_gets_a_stable_code_the_web_can_translate(
    overrides: dict[str, Any], where: tuple[str, ...], code: str
) -> None:
    errors = error_codes(enquiry_payload(**overrides))
    assert errors.get(where) == code, errors
    assert code in ERROR_CODES


def test_a_missing_name_and_contact_are_reported_together_with_other_mistakes() -> None:
    payload = enquiry_payload(
        sought__full_name=" ", sought__birth_date="31.02.2001",
        enquirer__email="", enquirer__phone=None, enquirer__language="de",
    )  # fmt: skip
    assert error_codes(payload) == {
        ("sought", "birth_date"): "date_invalid",
        ("sought",): "name_missing",
        ("enquirer", "language"): "language_invalid",
        ("enquirer",): "contact_missing",
    }


def test_a_missing_part_of_the_body_is_reported_by_its_path() -> None:
    payload = enquiry_payload()
    del payload["enquirer"]
    assert error_codes(payload) == {("enquirer",): "missing"}


def test_names_in_any_script_and_a_checkbox_value_are_accepted() -> None:
    data = EnquiryIn.model_validate(
        enquiry_payload(sought__full_name="KYSLYTSIA  SERHII", sought__military="on",
                        enquirer__phone="+380 (44) 123-45-67", enquirer__email="")
    )  # fmt: skip
    assert data.sought.full_name == "KYSLYTSIA SERHII"
    assert data.sought.military is True
    assert data.enquirer.phone == "+380441234567"


def test_services_never_commit_so_nothing_is_visible_before_the_caller_commits(
    store: Store,
) -> None:
    # A plain engine (no BEGIN IMMEDIATE) reads beside the open write, as another process would.
    url = store.engine.url.render_as_string(hide_password=False)
    onlooker = sa.create_engine(url)
    try:
        with store.sessions() as session:
            submit_enquiry(
                session, EnquiryIn.model_validate(enquiry_payload()), channel="web", keys=store.keys
            )
            session.flush()
            with onlooker.connect() as conn:
                assert conn.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 0
            session.commit()
        with onlooker.connect() as conn:
            assert conn.scalar(sa.select(sa.func.count()).select_from(Enquiry)) == 1
    finally:
        onlooker.dispose()


def test_ready_references_come_with_their_data_key_made_in_batches(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import kintrace.keys as keys_module
    from kintrace.intake.enquiries import ReadyReferences

    folder_syncs: list[Path] = []
    real_fsync_dir = keys_module._fsync_dir

    def counted(folder: Path) -> None:
        folder_syncs.append(folder)
        real_fsync_dir(folder)

    monkeypatch.setattr(keys_module, "_fsync_dir", counted)
    pool = ReadyReferences(store.keys, low=8, batch=16)
    first = pool.take()  # the pool is empty: this one makes its own key, the filler starts
    deadline = time.monotonic() + 120
    while len(pool._ready) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    folder_syncs.clear()
    taken = [pool.take() for _ in range(8)]
    subjects = store.keys.ring.subject_dir
    for reference in [first, *taken]:
        assert (subjects / f"enquiry-{reference}.key").exists()
    assert len(set(taken)) == 8
    # Eight families took a ready reference: none of them synced the keys folder itself.
    assert folder_syncs.count(subjects) <= pool.parallel  # at most the filler's next batch
    # Enquiries stored under them are sealed with their own key and read back.
    with store.sessions.begin() as session:
        data = EnquiryIn.model_validate(enquiry_payload())
        receipt = submit_enquiry(session, data, channel="api", keys=store.keys, reference=taken[0])
    assert receipt.reference == taken[0]
    with store.sessions() as session:
        found = find_enquiry(session, receipt.reference, receipt.secret, store.keys)
    assert found is not None and found.sought_name


def test_one_waiting_filler_thread_refills_the_ready_references_each_time_they_run_low(
    store: Store,
) -> None:
    import time

    from kintrace.intake.enquiries import ReadyReferences

    pool = ReadyReferences(store.keys, low=4, batch=8, parallel=2, most=8)

    def drained_and_refilled() -> set[str]:
        taken = set()
        deadline = time.monotonic() + 120
        while len(taken) < 12 and time.monotonic() < deadline:
            reference = pool.take_ready()
            if reference is None:
                time.sleep(0.01)
            else:
                taken.add(reference)
        return taken

    first = drained_and_refilled()
    filler = pool._thread
    second = drained_and_refilled()
    # Twice as many references as one batch, each handed out once, each with its key on disk.
    assert len(first) == len(second) == 12 and not first & second
    subjects = store.keys.ring.subject_dir
    assert all((subjects / f"enquiry-{r}.key").exists() for r in first | second)
    # The same filler thread did all of it (woken, not started again for each refill: starting
    # a thread made the caller, the event loop under a surge, wait for it to run).
    assert filler is not None and filler.is_alive() and pool._thread is filler
    # The pool ran dry (the first take found nothing ready), so it now starts refilling earlier.
    assert pool.low == 8
