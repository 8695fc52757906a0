"""Reading bulk lists: real files the tests write (cp1251 CSV with semicolons, XLSX written
with openpyxl, the exchange CSV), and bad files that must fail with a sentence."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from kintrace.intake.reports import ImportFileError, guess_mapping, validate
from kintrace.io.tables import read_table

HEADER_UK = ["Прізвище", "Ім'я", "По батькові", "Дата народження", "в/ч", "Статус"]
ROWS = [
    ["Ковальчук", "Петро", "Іванович", "12.03.2001", "в/ч А0000", "полонений"],
    ["Шевчук", "Андрій", "Олегович", "1999-07", "", "загинув"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, sep: str, enc: str) -> Path:
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(enc))
    return path


def test_it_reads_a_cp1251_list_separated_by_semicolons(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "l.csv", HEADER_UK, ROWS, sep=";", enc="cp1251"))
    assert (table.encoding, table.delimiter, table.kind) == ("cp1251", ";", "csv")
    assert table.headers == HEADER_UK
    assert list(table.rows()) == [(2, ROWS[0]), (3, ROWS[1])]


def test_a_koi8_u_export_reads_as_the_names_written_not_as_cp1251_mojibake(
    tmp_path: Path,
) -> None:
    # An old registry export in KOI8-U decodes without error as cp1251 («лПЧБМШЮХЛ»), so
    # every name of the list would match nothing; the import must read the letters written.
    rows = [*ROWS, ["Мельник", "Олена", "Петрівна", "1987", "", "зникла безвісти"]]
    table = read_table(write_csv(tmp_path / "l.csv", HEADER_UK, rows, sep=";", enc="koi8_u"))
    assert (table.encoding, table.headers) == ("koi8_u", HEADER_UK)
    assert [cells for _, cells in table.rows()] == rows
    # The same list in cp1251 is still cp1251.
    assert (
        read_table(write_csv(tmp_path / "c.csv", HEADER_UK, rows, sep=";", enc="cp1251")).encoding
        == "cp1251"
    )


def test_it_reads_utf8_with_bom_and_commas_with_the_same_row_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", HEADER_UK, ROWS, sep=",", enc="utf-8-sig")
    table = read_table(path)
    assert table.headers[0] == "Прізвище"  # the BOM is not part of the first header
    assert [n for n, _ in table.rows()] == [2, 3]


def test_the_same_bytes_give_the_same_sha256_from_a_path_or_an_upload(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", HEADER_UK, ROWS, sep=";", enc="cp1251")
    assert read_table(path).sha256 == read_table(path.read_bytes(), "l.csv").sha256


def test_it_reads_an_xlsx_written_by_openpyxl_with_real_date_cells(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Фамилия", "Имя", "Отчество", "Дата рождения", "Личный номер"])
    sheet.append(["Кислица", "Сергей", "Викторович", dt.datetime(2001, 3, 12), 12345])
    workbook.save(tmp_path / "list.xlsx")
    table = read_table(tmp_path / "list.xlsx")
    assert table.kind == "xlsx"
    assert list(table.rows()) == [(2, ["Кислица", "Сергей", "Викторович", "2001-03-12", "12345"])]
    assert guess_mapping(table.headers).columns == {
        "family_name": "Фамилия",
        "given_name": "Имя",
        "patronymic": "Отчество",
        "birth_date": "Дата рождения",
        "service_number": "Личный номер",
    }


def test_an_uploaded_xlsx_with_blank_rows_above_the_header_keeps_the_sheets_row_numbers(
    tmp_path: Path,
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"], sheet["C3"] = "Прізвище", "Ім'я", "Дата народження"
    sheet["A4"], sheet["B4"], sheet["C4"] = "Кислиця", "Сергій", dt.date(2001, 3, 12)
    sheet["A6"], sheet["B6"], sheet["C6"] = "Мельник", "Іван", "1999"
    workbook.save(tmp_path / "list.xlsx")
    table = read_table((tmp_path / "list.xlsx").read_bytes(), "list.xlsx")
    assert table.headers == ["Прізвище", "Ім'я", "Дата народження"]
    assert list(table.rows()) == [
        (4, ["Кислиця", "Сергій", "2001-03-12"]),
        (6, ["Мельник", "Іван", "1999"]),
    ]


def test_an_exchange_csv_is_read_by_the_exchange_reader_and_keeps_its_checks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "x.csv"
    path.write_text("record_id,full_name,birth_date\nA1,Кислиця Сергій,2001\nA1,Інший,\n")
    with pytest.raises(ImportFileError, match=r"row 3.*A1.*already used"):
        read_table(path)
    path.write_text("record_id,full_name,birth_date\nA1,Кислиця Сергій,2001\n")
    table = read_table(path)
    assert table.kind == "exchange_csv"
    assert guess_mapping(table.headers).columns["external_id"] == "record_id"


def test_ten_megabytes_of_garbage_is_refused_with_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(os.urandom(10 * 1024 * 1024))
    with pytest.raises(ImportFileError, match="neither a CSV text file nor an XLSX workbook"):
        read_table(path)


def test_utf8_text_saved_again_as_cp1251_mojibake_is_called_garbled(tmp_path: Path) -> None:
    garbled = ";".join(HEADER_UK).encode("utf-8").decode("cp1251", errors="replace")
    path = tmp_path / "list.csv"
    path.write_text(garbled + "\nx;y;z;1;2;3\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="garbled"):
        read_table(path)


def test_an_old_xls_workbook_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "list.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ImportFileError, match=r"save it as \.xlsx"):
        read_table(path)


def test_a_damaged_xlsx_is_refused_with_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFileError, match="cannot be opened as an XLSX"):
        read_table(path)


def test_the_dry_run_names_the_row_and_field_of_an_impossible_date(tmp_path: Path) -> None:
    rows = [*ROWS, ["Мельник", "Іван", "", "31.02.1999", "", "поранений"]]
    table = read_table(write_csv(tmp_path / "l.csv", HEADER_UK, rows, sep=";", enc="cp1251"))
    result = validate(table, guess_mapping(table.headers))
    assert (result.rows_total, result.rows_ok) == (3, 2)
    assert [(b.row_number, b.field, b.code) for b in result.bad_rows] == [
        (4, "birth_date", "date_invalid")
    ]


def test_excels_unicode_text_export_in_utf16_with_tabs_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.txt", HEADER_UK, ROWS, sep="\t", enc="utf-16")
    table = read_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert list(table.rows()) == [(2, ROWS[0]), (3, ROWS[1])]
