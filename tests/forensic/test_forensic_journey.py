"""A family's enquiry with ante-mortem data → remains record → ranking → approved
identification → hand-over planned → the family told by phone with support recorded."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from tests.factories import Personas, Store
from tests.review.conftest import file_enquiry

from kintrace.db.models import AuditEvent, Case, Enquiry, User
from kintrace.db.models_casework import DeathNotice
from kintrace.db.models_forensic import UnidentifiedRemains
from kintrace.disclosure.answers import approve, draft_answer, family_view, record_death_told
from kintrace.disclosure.policy import Kind
from kintrace.review import forensic
from kintrace.review.verification import Checklist, record_verification
from kintrace.review.worker import MatchWorker

from .conftest import Specialists

FAMILY_SAYS = {
    "date": "2025-05", "height_min": 178, "height_max": 180,
    "marks": [{"kind": "наколка", "location": "ліве передпліччя", "description": "тризуб"},
              {"kind": "шрам", "location": "праве коліно", "description": ""}],
    "dental": "золота коронка зверху", "clothing": "піксельна куртка, берці",
    "effects": "обручка з гравіюванням",
}  # fmt: skip
MORGUE_SAYS = {
    "sex": "M", "age_min": 20, "age_max": 30, "height_min": 175, "height_max": 182,
    "marks": [{"kind": "tattoo", "location": "left forearm", "description": "trident"},
              {"kind": "scar", "location": "right knee", "description": "surgical"}],
    "dental": "gold crown, upper jaw", "clothing": "camouflage jacket", "effects": "ring",
}  # fmt: skip


def test_a_family_is_told_by_phone_after_two_specialists_identify_the_remains(
    store: Store, people: Personas, specialists: Specialists
) -> None:
    with store.sessions.begin() as session:
        receipt = file_enquiry(session, store, people.org_a.id)
        other = file_enquiry(session, store, people.org_a.id,
                             sought__full_name="Бондар Олег Іванович", sought__sex="M")  # fmt: skip
    MatchWorker(store.sessions).drain()  # files each enquiry's case
    with store.sessions.begin() as session:
        alice = session.get(User, people.alice.id)
        enquiry = session.get(Enquiry, receipt.enquiry_id)
        case = session.get(Case, enquiry.case_id)
        forensic.record_ante_mortem(
            session, case, alice, descriptors=FAMILY_SAYS,
            reference_sample_given=True, reference_sample_where="regional lab (synthetic)",
        )  # fmt: skip
        other_case = session.get(Case, session.get(Enquiry, other.enquiry_id).case_id)
        forensic.record_ante_mortem(
            session, other_case, alice,
            descriptors={"date": "2025-04", "marks": [{"kind": "scar", "location": "face"}]},
        )  # fmt: skip
        dana, erik = session.get(User, specialists.dana), session.get(User, specialists.erik)
        remains = forensic.record_remains(
            session, dana, source_org="Morgue 0 (synthetic)", place="Bakhmut",
            date_found="2025-09-14", descriptors=MORGUE_SAYS,
        )  # fmt: skip
        ranked = forensic.candidates_for_remains(session, remains)
        assert ranked[0].id == case.id
        why = {f.descriptor: f for f in ranked[0].findings}
        assert why["marks"].outcome == "agrees" and "trident" in why["marks"].reason
        assert why["age"].outcome == "agrees"  # 24 at going missing, from the enquiry
        assert why["place"].outcome == "agrees"  # Бахмут from the enquiry is Bakhmut
        assert [c.id for c in forensic.candidates_for_case(session, case)] == [remains.id]

        ident = forensic.propose_identification(
            session, remains, case, dana, method="dna", lab_reference="LAB-0001"
        )
        assert session.get(UnidentifiedRemains, remains.id).identified_case_id is None
        assert not forensic.ready_to_tell(session, ident).ready
        with pytest.raises(forensic.ForensicRefused, match="second person"):
            forensic.approve_identification(session, ident, dana)
        forensic.approve_identification(session, ident, erik)
        assert case.id not in [c.id for c in forensic.candidates_for_remains(session, remains)]

        plan = forensic.plan_return(
            session, ident, alice, from_whom="Morgue 0 (synthetic)", to_whom="the mother",
            place="Morgue 0 (synthetic)", on=date(2025, 10, 1), documents="passport",
        )  # fmt: skip
        forensic.record_certificate_issued(session, ident)
        assert plan.certificate_issued_at is not None
        assert forensic.ready_to_tell(session, ident).ready

        record_verification(session, enquiry, Checklist(True, True, 3, 3), user_id=alice.id)
        death = draft_answer(session, enquiry, Kind.death, "We are deeply sorry.", user_id=alice.id)
        approve(session, death, session.get(User, people.bob.id))
        assert family_view(session, enquiry).answers == []
        record_death_told(
            session, death, channel="in_person", support_offered="psychologist, funeral help",
            user_id=alice.id,
        )  # fmt: skip
        assert [a.kind for a in family_view(session, enquiry).answers] == [Kind.death]
        notice = session.scalars(sa.select(DeathNotice)).one()
        assert notice.channel == "in_person"
        kinds = set(session.scalars(sa.select(AuditEvent.kind)))
        assert {"forensic.identification_proposed", "forensic.identification_approved",
                "disclosure.death_told"} <= kinds  # fmt: skip
