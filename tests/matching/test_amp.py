"""Ante-/post-mortem ranking on synthetic cases (no real person's data)."""

from __future__ import annotations

from kintrace.matching.amp import (
    Mark,
    Profile,
    compare,
    concepts,
    rank_missing_for_remains,
    rank_remains_for_missing,
)

REMAINS = Profile(
    id="R1", sex="M", age_min=25, age_max=40, height_min=175, height_max=185,
    date="2024-07", place="Bakhmut", marks=(Mark("tattoo", "left forearm", "anchor"),),
    dental="gold crown, upper incisor", clothing="camouflage jacket", effects="wedding ring",
)  # fmt: skip

SOUGHT = Profile(
    id="case-7", sex="M", age_min=31, age_max=31, height_min=180, height_max=180,
    date="2024-03", place="м. Бахмут", marks=(Mark("наколка", "ліве передпліччя", "якір"),),
    dental="золота коронка", clothing="камуфляжна куртка, берці", effects="обручка, годинник",
)  # fmt: skip


def test_a_ukrainian_mark_and_an_english_mark_of_the_same_tattoo_agree() -> None:
    assert concepts("наколка якір на лівому передпліччі") == concepts("anchor tattoo, left forearm")
    assert concepts("татуировка якорь на левом предплечье") == concepts(
        "anchor tattoo, left forearm"
    )


def test_the_fitting_missing_person_is_ranked_first_with_a_reason_per_descriptor() -> None:
    other = Profile(id="case-9", sex="M", age_min=30, age_max=30, height_min=178,
                    height_max=178, date="2024-02", dental="пломба")  # fmt: skip
    ranked = rank_missing_for_remains(REMAINS, [other, SOUGHT])
    assert [c.id for c in ranked] == ["case-7", "case-9"]
    reasons = {f.descriptor: f for f in ranked[0].findings}
    assert set(reasons) == {"sex", "age", "height", "dates", "place", "marks", "dental",
                            "clothing", "effects"}  # fmt: skip
    assert reasons["marks"].outcome == "agrees"
    assert "anchor" in reasons["marks"].reason and "forearm" in reasons["marks"].reason
    assert reasons["dental"].reason == "dental alike: crown, gold"
    assert reasons["place"].outcome == "agrees"


def test_a_woman_is_never_proposed_for_male_remains() -> None:
    woman = Profile(id="case-3", sex="F", age_min=31, age_max=31)
    assert rank_missing_for_remains(REMAINS, [woman]) == []
    assert compare(woman, REMAINS).excluded


def test_remains_found_before_the_person_went_missing_are_not_proposed() -> None:
    later = Profile(id="case-4", sex="M", date="2024-09")
    assert rank_missing_for_remains(REMAINS, [later]) == []
    assert rank_missing_for_remains(REMAINS, [Profile(id="c", sex="M", date="2024")]) != []


def test_age_and_height_ranges_that_do_not_overlap_exclude_a_candidate() -> None:
    old = Profile(id="case-5", sex="M", age_min=60, age_max=62)
    tall = Profile(id="case-6", sex="M", height_min=198, height_max=200)
    assert rank_missing_for_remains(REMAINS, [old, tall]) == []


def test_a_tattoo_on_the_other_arm_does_not_count_as_the_same_mark() -> None:
    right = Profile(id="case-8", sex="M", marks=(Mark("tattoo", "right forearm", "anchor"),))
    (candidate,) = rank_missing_for_remains(REMAINS, [right])
    marks = next(f for f in candidate.findings if f.descriptor == "marks")
    assert marks.outcome == "differs" and marks.points == 0


def test_remains_are_ranked_for_a_missing_person_from_stored_descriptors() -> None:
    stored = {"sex": "M", "age_min": "20", "age_max": "35", "height_min": 176,
              "height_max": 184, "date": "2024-05", "place": "Бахмут",
              "marks": [{"kind": "tattoo", "location": "left forearm", "description": "anchor"}],
              "tags": "жетон"}  # fmt: skip
    unlike = {"sex": "M", "marks": [{"kind": "scar", "location": "face", "description": ""}]}
    ranked = rank_remains_for_missing(
        SOUGHT,
        [Profile.from_descriptors(2, unlike), Profile.from_descriptors(1, stored)],
    )
    assert [c.id for c in ranked] == [1, 2]
    assert ranked[0].score > ranked[1].score
