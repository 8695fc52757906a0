"""Fate by weight of evidence: the rules a caseworker relies on when telling a family."""

from __future__ import annotations

import itertools

import pytest

from kintrace.domain import Credibility, Fate, Reliability, ReportType, SourceKind
from kintrace.domain.fate import (
    DeathGrade,
    Evidence,
    death_grade,
    derive_fate,
    evidence_weight,
    is_admissible,
)

C = Credibility


def ev(
    rid: int,
    kind: ReportType,
    rel: str = "A",
    cred: Credibility = C.confirmed,
    date: str | None = "2024-03-01",
    source: SourceKind = SourceKind.bureau_list,
    **extra: bool,
) -> Evidence:
    return Evidence(rid, kind, Reliability(rel), cred, source, date, **extra)


def test_no_reports_leave_the_fate_unknown() -> None:
    ruling = derive_fate([])
    assert ruling.fate is Fate.unknown
    assert ruling.basis_report_ids == ()


def test_a_missing_report_is_no_evidence_of_fate() -> None:
    assert derive_fate([ev(1, ReportType.missing)]).fate is Fate.unknown


def test_an_unverified_post_alone_can_never_make_someone_dead() -> None:
    post = ev(1, ReportType.dead, "F", C.cannot_be_judged, source=SourceKind.media)
    ruling = derive_fate([post])
    assert ruling.fate is Fate.unknown
    assert ruling.reported_dead_unconfirmed is True
    assert ruling.conflicts == (1,)


@pytest.mark.parametrize(
    ("rel", "cred", "source"),
    [
        (r, c, s)
        for r, c, s in itertools.product(Reliability, Credibility, SourceKind)
        if r in {Reliability.D, Reliability.E, Reliability.F}
        or c in {C.doubtful, C.improbable, C.cannot_be_judged}
    ],
)
def test_no_poorly_graded_death_report_ever_makes_someone_dead(rel, cred, source) -> None:
    ruling = derive_fate(
        [
            Evidence(1, ReportType.dead, rel, cred, source, "2024-05-01", True, True),
            ev(2, ReportType.captured, date="2024-01-01"),
        ]
    )
    assert ruling.fate is Fate.captured
    assert ruling.reported_dead_unconfirmed is True
    assert 1 in ruling.conflicts


def test_a_later_weak_report_does_not_overwrite_a_strong_earlier_one() -> None:
    card = ev(1, ReportType.captured, "A", C.confirmed, "2024-01-10")
    rumour = ev(2, ReportType.released, "E", C.improbable, "2024-06-01", SourceKind.person)
    ruling = derive_fate([card, rumour])
    assert ruling.fate is Fate.captured
    assert ruling.basis_report_ids == (1,)
    assert ruling.conflicts == (2,)


def test_a_later_well_graded_report_moves_the_story_on_without_conflict() -> None:
    reports = [
        ev(1, ReportType.captured, date="2024-01-10"),
        ev(2, ReportType.hospitalised, "B", C.probably_true, "2024-02-01", SourceKind.hospital),
        ev(3, ReportType.released, "B", C.confirmed, "2024-05-01"),
        ev(4, ReportType.repatriated, "A", C.confirmed, "2024-05-20"),
    ]
    ruling = derive_fate(reports)
    assert ruling.fate is Fate.repatriated
    assert ruling.basis_report_ids == (4,)
    assert ruling.conflicts == ()


def test_a_certified_death_from_a_morgue_makes_someone_dead() -> None:
    ruling = derive_fate(
        [
            ev(1, ReportType.captured, date="2024-01-10"),
            ev(2, ReportType.dead, "C", C.possibly_true, "2024-03-01", SourceKind.morgue),
        ]
    )
    assert ruling.fate is Fate.dead
    assert ruling.conflicts == ()
    assert ruling.reported_dead_unconfirmed is False


def test_possibly_true_death_from_an_ngo_needs_a_certificate_or_grave() -> None:
    bare = ev(1, ReportType.dead, "B", C.possibly_true, source=SourceKind.ngo)
    certified = ev(
        1, ReportType.dead, "B", C.possibly_true, source=SourceKind.ngo, has_death_certificate=True
    )
    assert derive_fate([bare]).fate is Fate.unknown
    assert derive_fate([certified]).fate is Fate.dead


def test_remains_located_after_death_is_one_story() -> None:
    ruling = derive_fate(
        [
            ev(1, ReportType.dead, date="2024-03-01"),
            ev(2, ReportType.remains_located, date="2024-09-01", has_grave_location=True),
        ]
    )
    assert ruling.fate is Fate.remains_located
    assert ruling.conflicts == ()


def test_a_credible_sighting_after_a_credible_death_is_shown_as_a_conflict() -> None:
    ruling = derive_fate(
        [
            ev(1, ReportType.dead, date="2024-03-01"),
            ev(2, ReportType.seen, "B", C.probably_true, "2024-04-01", SourceKind.ngo),
        ]
    )
    assert ruling.fate is Fate.alive_free
    assert ruling.conflicts == (1,)


def test_two_credible_reports_of_the_same_day_that_disagree_are_side_by_side() -> None:
    ruling = derive_fate(
        [
            ev(1, ReportType.captured, "A", C.confirmed),
            ev(2, ReportType.dead, "B", C.probably_true, source=SourceKind.ngo),
        ]
    )
    assert ruling.fate is Fate.captured  # the heavier one
    assert ruling.conflicts == (2,)
    assert "say otherwise" in ruling.explanation


def test_reports_of_the_same_fate_and_time_corroborate_the_basis() -> None:
    ruling = derive_fate(
        [
            ev(1, ReportType.captured, date="2024-03"),
            ev(2, ReportType.interned, "B", C.probably_true, date="2024-03-05"),
        ]
    )
    assert ruling.fate is Fate.captured
    assert set(ruling.basis_report_ids) == {1, 2}


def test_an_undated_contradicting_report_is_a_conflict_not_a_past_step() -> None:
    ruling = derive_fate(
        [ev(1, ReportType.released, date="2024-05-01"), ev(2, ReportType.dead, date=None)]
    )
    assert ruling.fate is Fate.released
    assert ruling.conflicts == (2,)


def test_an_official_list_outweighs_a_social_media_video_of_equal_grade() -> None:
    official = ev(1, ReportType.captured, "B", C.probably_true, source=SourceKind.bureau_list)
    video = ev(2, ReportType.captured, "B", C.probably_true, source=SourceKind.media)
    assert evidence_weight(official) > evidence_weight(video)


def test_every_report_type_has_a_rule_and_weights_stay_between_zero_and_one() -> None:
    for rel, cred, src, kind in itertools.product(Reliability, Credibility, SourceKind, ReportType):
        e = Evidence(1, kind, rel, cred, src, None, True, True)
        assert 0.0 <= evidence_weight(e) <= 1.0
        assert derive_fate([e]).fate in Fate
        if kind is ReportType.missing:
            assert not is_admissible(e)


# Issue 10 item 1: death evidence graded by weight.


def test_a_dna_identification_with_its_lab_reference_makes_a_possibly_true_death_certain() -> None:
    bare = ev(1, ReportType.dead, "B", C.possibly_true, source=SourceKind.ngo)
    identified = Evidence(
        1, ReportType.dead, Reliability.B, C.possibly_true, SourceKind.ngo, "2024-03-01",
        identification_method="dna", has_lab_reference=True,
    )  # fmt: skip
    assert derive_fate([bare]).fate is Fate.unknown
    ruling = derive_fate([identified])
    assert ruling.fate is Fate.dead
    assert ruling.death_grade is DeathGrade.identified
    assert "identification of the remains" in ruling.explanation


def test_a_dna_method_without_its_lab_reference_and_visual_recognition_establish_nothing() -> None:
    for method, lab in (("dna", False), ("visual", True), ("documents", True)):
        claim = Evidence(
            1, ReportType.dead, Reliability.B, C.possibly_true, SourceKind.ngo, "2024-03-01",
            identification_method=method, has_lab_reference=lab,
        )  # fmt: skip
        assert death_grade(claim) is DeathGrade.none, method
        ruling = derive_fate([claim])
        assert ruling.fate is Fate.unknown and ruling.reported_dead_unconfirmed, method


def test_recovered_remains_recognised_from_documents_count_as_an_identification() -> None:
    claim = Evidence(
        1, ReportType.dead, Reliability.C, C.possibly_true, SourceKind.other, "2024-03-01",
        identification_method="documents", remains_recovered=True,
    )  # fmt: skip
    assert death_grade(claim) is DeathGrade.identified
    assert derive_fate([claim]).fate is Fate.dead


def test_an_unverified_post_showing_a_certificate_still_never_makes_someone_dead() -> None:
    post = Evidence(
        1, ReportType.dead, Reliability.F, C.cannot_be_judged, SourceKind.media, "2024-03-01",
        has_death_certificate=True, identification_method="dna", has_lab_reference=True,
        remains_recovered=True,
    )  # fmt: skip
    ruling = derive_fate([post, ev(2, ReportType.captured, date="2024-01-01")])
    assert ruling.fate is Fate.captured
    assert ruling.reported_dead_unconfirmed is True


def test_a_certificate_outweighs_a_grave_which_outweighs_the_word_alone() -> None:
    def dead(**extra: bool) -> Evidence:
        return ev(1, ReportType.dead, "B", C.probably_true, source=SourceKind.ngo, **extra)

    bare, grave, cert = dead(), dead(has_grave_location=True), dead(has_death_certificate=True)
    assert evidence_weight(cert) > evidence_weight(grave) > evidence_weight(bare)
    assert derive_fate([cert]).death_grade is DeathGrade.certified
    assert derive_fate([bare]).death_grade is DeathGrade.none
    assert "source's word alone" in derive_fate([bare]).explanation


def test_of_two_death_reports_of_the_same_day_the_certified_one_is_the_basis() -> None:
    word = ev(1, ReportType.dead, "B", C.probably_true, source=SourceKind.ngo)
    cert = ev(2, ReportType.dead, "B", C.probably_true, source=SourceKind.ngo,
              has_death_certificate=True)  # fmt: skip
    ruling = derive_fate([word, cert])
    assert ruling.weights[2] > ruling.weights[1]
    assert ruling.death_grade is DeathGrade.certified


def test_a_certificate_on_the_death_report_still_grades_remains_located_later() -> None:
    ruling = derive_fate(
        [
            ev(1, ReportType.dead, date="2024-03-01", has_death_certificate=True),
            ev(2, ReportType.remains_located, date="2024-09-01"),
        ]
    )
    assert ruling.fate is Fate.remains_located
    assert ruling.death_grade is DeathGrade.certified


def test_a_living_fate_carries_no_death_grade() -> None:
    assert derive_fate([ev(1, ReportType.captured)]).death_grade is None
