"""The disclosure policy, checked over every combination of its facts."""

from __future__ import annotations

import itertools

import pytest

from kintrace.disclosure.policy import Channel, Facts, Kind, Reason, may_draft, ruling

BOOLS = (False, True)
ALL_FACTS = [
    Facts(*values)
    for values in itertools.product(BOOLS, BOOLS, BOOLS, BOOLS, (None, False, True), BOOLS, BOOLS)
]


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("channel", list(Channel))
def test_every_combination_obeys_the_standards_of_care(kind: Kind, channel: Channel) -> None:
    for facts in ALL_FACTS:
        result = ruling(kind, facts, channel)
        assert result.allowed == (not result.reasons)
        if result.allowed:
            assert facts.verified
            assert channel is not Channel.email
            assert not facts.sought_is_child or facts.guardianship_proven
            if kind is not Kind.death:
                assert facts.named_by_person is not False
            if kind in {Kind.fate, Kind.location, Kind.return_}:
                assert not facts.refuses_contact
            if kind in {Kind.location, Kind.death}:
                assert facts.approved
            if kind is Kind.death and channel is Channel.status_page:
                assert facts.told_in_person


def test_a_verified_mother_may_hear_on_the_page_that_her_son_is_alive() -> None:
    assert ruling(Kind.alive, Facts(verified=True), Channel.status_page).allowed


def test_an_unverified_enquirer_hears_nothing_and_is_told_why() -> None:
    result = ruling(Kind.alive, Facts(), Channel.phone)
    assert not result.allowed
    assert result.reasons == (Reason.enquirer_not_verified,)


def test_a_prisoner_who_refuses_contact_lets_the_family_know_only_that_he_lives() -> None:
    facts = Facts(verified=True, refuses_contact=True, approved=True)
    assert ruling(Kind.alive, facts, Channel.status_page).allowed
    result = ruling(Kind.location, facts, Channel.status_page)
    assert Reason.person_refuses_contact in result.reasons


def test_a_location_waits_for_the_supervisor() -> None:
    facts = Facts(verified=True)
    result = ruling(Kind.location, facts, Channel.status_page)
    assert result.needs_approval and result.reasons == (Reason.needs_supervisor_approval,)
    assert may_draft(Kind.location, facts).allowed


def test_a_death_is_never_first_told_on_the_status_page() -> None:
    facts = Facts(verified=True, approved=True)
    assert ruling(Kind.death, facts, Channel.phone).allowed
    page = ruling(Kind.death, facts, Channel.status_page)
    assert page.reasons == (Reason.death_first_told_in_person,)
    told = Facts(verified=True, approved=True, told_in_person=True)
    assert ruling(Kind.death, told, Channel.status_page).allowed


def test_an_email_never_carries_a_detail() -> None:
    facts = Facts(verified=True, approved=True, told_in_person=True)
    for kind in Kind:
        assert Reason.email_carries_no_details in ruling(kind, facts, Channel.email).reasons


def test_a_child_is_disclosed_only_to_a_proven_guardian() -> None:
    facts = Facts(verified=True, sought_is_child=True)
    assert ruling(Kind.alive, facts, Channel.phone).reasons == (Reason.guardianship_not_proven,)
    proven = Facts(verified=True, sought_is_child=True, guardianship_proven=True)
    assert ruling(Kind.alive, proven, Channel.phone).allowed


def test_someone_the_person_did_not_name_is_told_nothing_but_a_death() -> None:
    facts = Facts(verified=True, named_by_person=False, approved=True, told_in_person=True)
    assert ruling(Kind.alive, facts, Channel.phone).reasons == (Reason.person_chose_others,)
    assert ruling(Kind.death, facts, Channel.phone).allowed
