"""The exchange CSV reader: encodings, separators, lenient values, strict structure."""

from __future__ import annotations

import pytest

from kintrace.io.exchange_csv import ExchangeFileError, parse_exchange_csv, write_pairs_csv
from kintrace.matching import ScoredPair

HEADER = "record_id,full_name,given_name,patronymic,family_name,sex,birth_date,birth_place,military_unit,source"
ROW = "r1,Кислиця Сергій Вікторович,,,,M,12.03.2001,Київ,,list"


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1251", b"")],
)
def test_it_reads_cyrillic_names_in_every_accepted_encoding(encoding: str, bom: bytes) -> None:
    data = bom + f"{HEADER}\n{ROW}\n".encode(encoding)
    f = parse_exchange_csv(data)
    assert f.records[0]["full_name"] == "Кислиця Сергій Вікторович"
    assert f.records[0]["record_id"] == "r1"


# Made-up people, in the two shapes registry exports take: capitalised and upper case.
NAME_LIST = [
    "Кислиця Сергій Вікторович",
    "Мельничук Оксана Петрівна",
    "Гордієнко Тарас",
    "Соловйов Андрей Николаевич",
    "Ткаченко Дмитро Олегович",
]


@pytest.mark.parametrize("upper", [False, True])
def test_a_koi8_u_export_is_read_as_koi8_u_with_a_warning_not_as_cp1251_mojibake(
    upper: bool,
) -> None:
    names = [n.upper() if upper else n for n in NAME_LIST]
    text = "record_id,full_name\n" + "".join(f"r{i},{n}\n" for i, n in enumerate(names))
    koi8 = parse_exchange_csv(text.encode("koi8_u"), name="list.csv")
    assert [r["full_name"] for r in koi8.records] == names
    assert koi8.encoding == "koi8-u"
    assert "KOI8-U" in koi8.warnings[0] and "UTF-8" in koi8.warnings[0]
    # The same list in cp1251 is still read as cp1251, without a warning.
    cp1251 = parse_exchange_csv(text.encode("cp1251"))
    assert [r["full_name"] for r in cp1251.records] == names
    assert (cp1251.encoding, cp1251.warnings) == ("cp1251", [])


def test_it_reads_semicolon_separated_files() -> None:
    data = f"{HEADER.replace(',', ';')}\n{ROW.replace(',', ';')}\n".encode()
    f = parse_exchange_csv(data)
    assert f.delimiter == ";"
    assert f.records[0]["birth_place"] == "Київ"


def test_it_ignores_unknown_columns_and_keeps_the_optional_ones() -> None:
    data = "record_id;notes;service_number;full_name\n7;whatever;ТР-116771;Бойко Ілля\n".encode()
    f = parse_exchange_csv(data)
    assert f.records == [
        {"record_id": "7", "service_number": "ТР-116771", "full_name": "Бойко Ілля"}
    ]


def test_it_stops_on_a_file_without_record_id_naming_the_header_row() -> None:
    with pytest.raises(ExchangeFileError, match=r"row 1: .*no record_id"):
        parse_exchange_csv(b"full_name\nIvan\n")


def test_it_stops_on_a_duplicate_id_naming_both_rows() -> None:
    data = f"{HEADER}\n{ROW}\n{ROW}\n".encode()
    with pytest.raises(ExchangeFileError, match=r"row 3: record_id 'r1' is already used in row 2"):
        parse_exchange_csv(data)


def test_it_stops_on_a_record_with_an_empty_id() -> None:
    with pytest.raises(ExchangeFileError, match="row 3: the record has no record_id"):
        parse_exchange_csv(b"record_id,full_name\n1,A\n,B\n")


def test_it_refuses_a_binary_file_with_a_sentence() -> None:
    with pytest.raises(ExchangeFileError, match="not a text CSV"):
        parse_exchange_csv("record_id\n1\n".encode("utf-16"))


def test_it_reads_a_short_row_as_empty_fields_and_warns_with_the_row() -> None:
    f = parse_exchange_csv(b"record_id,full_name,birth_date\n1,Ivan Petrenko\n")
    assert f.records[0]["birth_date"] == ""
    assert any("row 2" in w for w in f.warnings)


def test_it_counts_rows_as_a_spreadsheet_does_even_with_quoted_line_breaks() -> None:
    data = b'record_id,full_name\n1,"Ivan\nPetrenko"\n2,Petro\n2,Again\n'
    with pytest.raises(ExchangeFileError, match="row 5"):
        parse_exchange_csv(data)


def test_it_writes_pairs_with_the_contract_header(tmp_path) -> None:
    out = tmp_path / "pairs.csv"
    n = write_pairs_csv(out, [ScoredPair("a", "b", 0.987654321, 5.0, "why")], explain=False)
    assert n == 1
    assert out.read_text(encoding="utf-8").splitlines() == [
        "left_id,right_id,match_probability",
        "a,b,0.987654",
    ]
