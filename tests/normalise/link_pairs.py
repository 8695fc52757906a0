"""The robustness pairs through `kintrace link`: files in, pairs out, as an evaluator runs it.

Every pair of name_pairs.py (typos and the romanisation grid aside) becomes a left and a right
record with one birth date of its own; beside the right record stands a different person of
the same surname and date whose given name differs (a namesake-like brother or cousin). The
true pair must come out at p >= 0.5 and the other person below 0.5.

    .venv/bin/python tests/normalise/link_pairs.py     # counts, and every pair that fails
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the repository root holds `tests`
    sys.path.insert(0, str(Path(__file__).parents[2]))
from tests.normalise.name_pairs import PAIRS

HEADER = ["record_id", "full_name", "given_name", "patronymic", "family_name", "sex", "birth_date",
          "birth_place", "military_unit", "source"]  # fmt: skip
# A given name the pair does not have, per script and sex, for the other person.
OTHER_GIVEN = {
    ("cyrillic", "M"): ("Богдан", "Тимофей"),
    ("cyrillic", "F"): ("Людмила", "Лариса"),
    ("latin", "M"): ("Bohdan", "Timofei"),
    ("latin", "F"): ("Liudmyla", "Larysa"),
}


@dataclass(frozen=True)
class Case:
    label: str
    left: str
    right: str
    other: str | None  # the right name with another given name, or None


def _other_person(name: str) -> str | None:
    """The name with its given name replaced by another one of the same script and sex."""
    from kintrace.normalise import analyse_name
    from kintrace.normalise.keys import word_key

    a = analyse_name(name)
    if not a.given or a.script not in ("cyrillic", "latin"):
        return None
    words = name.split()
    for i, w in enumerate(words):
        if word_key(w.strip(",.")) in a.given_variants:
            for other in OTHER_GIVEN[(a.script, a.sex or "M")]:
                if word_key(other) not in a.given_variants:
                    return " ".join([*words[:i], other, *words[i + 1 :]])
    return None


def cases() -> list[Case]:
    out = []
    for label, left, right in PAIRS:
        if label in ("typo", "initials", "layout"):
            continue  # judged by edit distance / initials; not a same-person claim here
        out.append(Case(label, left, right, _other_person(right)))
    return out


def run_link(cs: list[Case], folder: Path) -> tuple[dict[tuple[str, str], float], int]:
    """Write the two files, run `kintrace link`, return the scores and the exit code."""
    left, right = folder / "left.csv", folder / "right.csv"
    with left.open("w", newline="", encoding="utf-8") as lf, right.open("w", newline="", encoding="utf-8") as rf:  # fmt: skip
        lw, rw = csv.writer(lf), csv.writer(rf)
        lw.writerow(HEADER)
        rw.writerow(HEADER)
        for i, c in enumerate(cs):
            # One date per pair, so a pair meets only its own right record and its namesake.
            date = f"{1960 + i // 300}-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}"
            lw.writerow([f"L{i}", c.left, "", "", "", "", date, "", "", ""])
            rw.writerow([f"R{i}", c.right, "", "", "", "", date, "", "", ""])
            if c.other:
                rw.writerow([f"X{i}", c.other, "", "", "", "", date, "", "", ""])
    out = folder / "pairs.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "kintrace.cli.main", "link", str(left), str(right), "-o", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    scores: dict[tuple[str, str], float] = {}
    if proc.returncode == 0:
        with out.open(newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                scores[(r["left_id"], r["right_id"])] = float(r["match_probability"])
    return scores, proc.returncode


def judge(cs: list[Case], scores: dict[tuple[str, str], float]) -> tuple[list[Case], list[Case]]:
    """(true pairs below 0.5, other persons at 0.5 or above)."""
    missed = [c for i, c in enumerate(cs) if scores.get((f"L{i}", f"R{i}"), 0.0) < 0.5]
    confused = [
        c for i, c in enumerate(cs) if c.other and scores.get((f"L{i}", f"X{i}"), 0.0) >= 0.5
    ]
    return missed, confused


def main() -> None:
    cs = cases()
    with tempfile.TemporaryDirectory() as tmp:
        scores, code = run_link(cs, Path(tmp))
    if code:
        raise SystemExit(f"kintrace link exited with {code}")  # run it by hand to see why
    missed, confused = judge(cs, scores)
    others = sum(1 for c in cs if c.other)
    print(f"true pairs p >= 0.5: {len(cs) - len(missed)}/{len(cs)}")
    print(f"other person p < 0.5: {others - len(confused)}/{others}")
    for c in missed:
        i = cs.index(c)
        print(
            f"MISSED   {scores.get((f'L{i}', f'R{i}'), 0):.3f} | {c.label} | {c.left} | {c.right}"
        )
    for c in confused:
        i = cs.index(c)
        print(
            f"CONFUSED {scores.get((f'L{i}', f'X{i}'), 0):.3f} | {c.label} | {c.left} | {c.other}"
        )


if __name__ == "__main__":
    main()
