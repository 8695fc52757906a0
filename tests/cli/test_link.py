"""`kintrace link`: the contract every part of kintrace and every outside evaluator uses."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kintrace.cli.main import app

HEADER = [
    "record_id",
    "full_name",
    "given_name",
    "patronymic",
    "family_name",
    "sex",
    "birth_date",
    "birth_place",
    "military_unit",
    "source",
]


def _write(path: Path, rows: list[list[str]], *, sep: str = ",", encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=sep)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _row(rid: str, full: str = "", dob: str = "", **kw: str) -> list[str]:
    values = dict.fromkeys(HEADER, "")
    values.update(record_id=rid, full_name=full, birth_date=dob, **kw)
    return [values[c] for c in HEADER]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["link", *args])
    return result.exit_code, result.stderr


def _pairs(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


SAME_MAN = [
    _row("a1", "Кислица Сергей Викторович", "2001-03-12", sex="M"),
    _row("a2", "KYSLYTSIA SERHII VIKTOROVYCH", "12.03.2001", sex="M"),
    _row("a3", "Кислиця Сергій Вікторович", "2001-03-12", birth_place="Дніпро"),
]


def test_it_deduplicates_one_file_listing_each_pair_once_and_never_a_record_with_itself(
    tmp_path: Path,
) -> None:
    out = tmp_path / "pairs.csv"
    code, _ = _run(str(_write(tmp_path / "in.csv", SAME_MAN)), "-o", str(out))
    assert code == 0
    pairs = _pairs(out)
    keys = [frozenset((p["left_id"], p["right_id"])) for p in pairs]
    assert all(p["left_id"] != p["right_id"] for p in pairs)
    assert len(keys) == len(set(keys))
    assert frozenset(("a1", "a3")) in keys
    assert list(pairs[0]) == ["left_id", "right_id", "match_probability"]


def test_it_takes_left_ids_from_the_first_file_and_right_ids_from_the_second(
    tmp_path: Path,
) -> None:
    left = _write(tmp_path / "l.csv", [_row("q1", "Серёжа Кислица", "12.03.2001")])
    right = _write(tmp_path / "r.csv", SAME_MAN, sep=";", encoding="cp1251")
    out = tmp_path / "pairs.csv"
    code, _ = _run(str(left), str(right), "-o", str(out))
    assert code == 0
    pairs = _pairs(out)
    assert pairs, "the enquiry found no report at all"
    assert {p["left_id"] for p in pairs} == {"q1"}
    assert {p["right_id"] for p in pairs} <= {"a1", "a2", "a3"}


def test_it_raises_the_output_floor_with_threshold(tmp_path: Path) -> None:
    rows = [*SAME_MAN, _row("b1", "Кислица С.")]
    src = _write(tmp_path / "in.csv", rows)
    low, high = tmp_path / "low.csv", tmp_path / "high.csv"
    assert _run(str(src), "-o", str(low))[0] == 0
    lows = _pairs(low)
    assert lows and all(float(p["match_probability"]) >= 0.01 for p in lows)
    floor = min(float(p["match_probability"]) for p in lows) + 1e-6
    assert floor < 1.0
    assert _run(str(src), "-o", str(high), "--threshold", str(floor))[0] == 0
    highs = _pairs(high)
    assert all(float(p["match_probability"]) >= floor for p in highs)
    assert len(highs) < len(lows)


def test_it_explains_each_pair_with_the_values_compared_and_the_model_version(
    tmp_path: Path,
) -> None:
    out = tmp_path / "pairs.csv"
    code, _ = _run(str(_write(tmp_path / "in.csv", SAME_MAN)), "-o", str(out), "--explain")
    assert code == 0
    pair = _pairs(out)[0]
    assert "Date of birth" in pair["explanation"]
    assert "2001-03-12" in pair["explanation"]
    assert "Model kintrace-fs-" in pair["explanation"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"full_name\nIvan\n", "row 1"),
        (b"record_id,full_name\nx,Ivan\nx,Petro\n", "row 3"),
        (b"record_id,full_name\n1,Ivan\n,Petro\n", "row 3"),
    ],
)
def test_it_stops_with_exit_code_2_and_names_the_row_of_a_structural_fault(
    tmp_path: Path, content: bytes, message: str
) -> None:
    src = tmp_path / "bad.csv"
    src.write_bytes(content)
    code, err = _run(str(src), "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert message in err


def test_it_stops_with_exit_code_2_on_a_missing_file(tmp_path: Path) -> None:
    code, err = _run(str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out.csv"))
    assert code == 2
    assert "Cannot read" in err


def test_it_reads_an_impossible_date_as_empty_and_warns_with_the_row(tmp_path: Path) -> None:
    rows = [_row("1", "Петренко Іван", "2001-02-30"), _row("2", "Petrenko Ivan", "")]
    out = tmp_path / "out.csv"
    code, err = _run(str(_write(tmp_path / "in.csv", rows)), "-o", str(out))
    assert code == 0
    assert "row 2" in err and "birth_date" in err


def test_it_reads_a_birth_date_in_the_future_as_empty_and_warns_with_the_row(
    tmp_path: Path,
) -> None:
    # 2044 for 2004 is a typo: it must weigh as an unknown date, not as a date that disagrees.
    typo = [
        _row("1", "Фролов Андрей Юрьевич", "2044-03-11"),
        _row("2", "Frolov Andrei Iurevich", "2004-03-11"),
    ]
    blank = [_row("1", "Фролов Андрей Юрьевич", ""), typo[1]]
    out_typo, out_blank = tmp_path / "typo.csv", tmp_path / "blank.csv"
    code, err = _run(str(_write(tmp_path / "t.csv", typo)), "-o", str(out_typo))
    assert code == 0
    assert "row 2" in err and "birth_date" in err and "future" in err
    _run(str(_write(tmp_path / "b.csv", blank)), "-o", str(out_blank))
    assert _pairs(out_typo) == _pairs(out_blank) != []


def test_it_survives_empty_names_lone_surnames_and_other_scripts(tmp_path: Path) -> None:
    rows = [
        _row("1"),
        _row("2", "Кислица"),
        _row("3", "გიორგი ბერიძე", "1990"),
        _row("4", "محمد علي", "1990"),
        _row("5", "", "", family_name="Кислица"),
        _row("6", "Giorgi Beridze", "1990"),
        _row("7", "'\"; DROP TABLE x; --", "0000"),
    ]
    out = tmp_path / "out.csv"
    code, _ = _run(str(_write(tmp_path / "in.csv", rows)), "-o", str(out))
    assert code == 0
    assert _pairs(out) is not None
