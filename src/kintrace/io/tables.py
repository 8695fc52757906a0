"""Read a bulk list into a `Table` (kintrace.intake.reports): CSV, XLSX or the exchange CSV.

- CSV: UTF-8, UTF-8 with BOM, UTF-16 with BOM (Excel's "Unicode text"), cp1251 or KOI8-U
  (old Unix and registry exports; told from cp1251 by which reading gives name-like letters);
  separated by comma, semicolon or tab (whichever the header line uses most).
- XLSX: the first sheet, read with calamine; dates become YYYY-MM-DD.
- Exchange CSV (a header with ``record_id``): read by `kintrace.io.exchange_csv`, so its
  structural checks (unique record ids) hold for imports as for `kintrace link`.

Large files are streamed from disk when a path is given; only the SHA-256 and the header are
read up front. Every fault is an `ImportFileError` with a sentence naming what to do.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kintrace.intake.reports import ImportFileError, Table
from kintrace.io.exchange_csv import ExchangeFileError, parse_exchange_csv, reads_as_koi8

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc)
_SAMPLE = 64 * 1024

csv.field_size_limit(16 * 1024 * 1024)


class _Source:
    """The file's bytes, from disk (streamed) or from memory (an upload)."""

    def __init__(self, data: bytes | Path) -> None:
        self.path = data if isinstance(data, Path) else None
        self.data = data if isinstance(data, bytes) else None

    def open(self) -> io.BufferedIOBase:
        if self.path is not None:
            return open(self.path, "rb")
        assert self.data is not None
        return io.BytesIO(self.data)

    def all(self) -> bytes:
        with self.open() as fh:
            return fh.read()


def read_table(source: str | Path | bytes, filename: str | None = None) -> Table:
    """Read a CSV, XLSX or exchange-CSV file (a path, or the bytes of an upload)."""
    if isinstance(source, str):
        source = Path(source)
    if isinstance(source, Path):
        filename = filename or source.name
        if not source.is_file():
            raise ImportFileError(f"There is no file at {source}.", "file_missing")
    src = _Source(source)
    digest = hashlib.sha256()
    size = newlines = 0
    with src.open() as fh:
        head = fh.read(_SAMPLE)
        for chunk in (head, *iter(lambda: fh.read(1 << 20), b"")):
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
    sha256 = digest.hexdigest()
    if size == 0:
        raise ImportFileError(
            "The file is empty; a header row and at least one row are needed.", "file_empty"
        )
    name = (filename or "").lower()
    if head.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise ImportFileError(
            "This is an old Excel .xls workbook; save it as .xlsx or as CSV and import that.",
            "file_old_xls",
        )
    if head.startswith(_XLSX_MAGIC) or name.endswith(".xlsx"):
        return _read_xlsx(src, sha256)
    return _read_csv(src, head, sha256, newlines)


def _encoding(src: _Source, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise ImportFileError(
            "This file is neither a CSV text file nor an XLSX workbook (it holds binary data). "
            "Save the list as CSV in UTF-8 or cp1251, or as XLSX.",
            "file_binary",
        )
    # The whole file must be valid UTF-8 to be read as UTF-8; one stray cp1251 byte late in
    # a million rows means the file is cp1251.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with src.open() as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        _check_cp1251(src)
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file's text is neither UTF-8 nor cp1251 (Windows Cyrillic). Save it as CSV "
            "in UTF-8 and import it again.",
            "file_encoding",
        ) from None
    # The first 64 KB of a list hold thousands of letters: enough to tell the two apart.
    return "koi8_u" if reads_as_koi8(head) else "cp1251"


def _check_cp1251(src: _Source) -> None:
    decoder = codecs.getincrementaldecoder("cp1251")()
    with src.open() as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            decoder.decode(chunk)


def _looks_double_encoded(text: str) -> bool:
    # UTF-8 Cyrillic read as cp1251 and saved again as UTF-8 reads «РџСЂС–Р·РІРёС‰Рµ».
    if text.count("Р") + text.count("С") < 4:
        return False
    try:
        repaired = text.encode("cp1251").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return repaired != text


def _text_stream(src: _Source, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(src.open(), encoding=encoding, newline="")


def _read_csv(src: _Source, head: bytes, sha256: str, newlines: int) -> Table:
    encoding = _encoding(src, head)
    with _text_stream(src, encoding) as text:
        first_line = text.readline()
    if not first_line.strip():
        raise ImportFileError(
            "The first line of the file is empty; it must hold the headers.", "file_no_header"
        )
    if _looks_double_encoded(first_line):
        raise ImportFileError(
            "The headers are garbled (UTF-8 text that was read as cp1251 and saved again). "
            "Open the original list and save it as CSV in UTF-8.",
            "file_garbled",
        )
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    header = next(csv.reader([first_line], delimiter=delimiter))
    if any(_norm(h) == "record_id" for h in header):
        return _read_exchange(src, sha256)
    headers = [h.strip().lstrip("\ufeff").strip() for h in header]

    def rows() -> Iterator[tuple[int, list[str]]]:
        with _text_stream(src, encoding) as stream:
            reader = csv.reader(stream, delimiter=delimiter)
            try:
                next(reader)
                for cells in reader:
                    if cells and "".join(cells).strip():
                        yield reader.line_num, cells
            except csv.Error as exc:
                raise ImportFileError(
                    f"Row {reader.line_num} cannot be read as CSV ({exc}); check its quotes.",
                    "file_row_unreadable",
                    row=reader.line_num,
                ) from None

    return Table(headers, rows, "csv", sha256, encoding, delimiter, max(newlines - 1, 1))


def _norm(header: str) -> str:
    return header.strip().strip("\ufeff").strip().lower().replace(" ", "_")


def _read_exchange(src: _Source, sha256: str) -> Table:
    try:
        parsed = parse_exchange_csv(src.all(), name="the file")
    except ExchangeFileError as exc:
        raise ImportFileError(str(exc), exc.code, **exc.params) from None
    headers = list(parsed.records[0]) if parsed.records else ["record_id"]
    records, numbers = parsed.records, parsed.rows

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, record in zip(numbers, records, strict=True):
            yield number, [record.get(h, "") for h in headers]

    return Table(
        headers, rows, "exchange_csv", sha256, parsed.encoding, parsed.delimiter, len(records)
    )


def _cell(value: Any) -> str:
    if type(value) is str:  # most cells: checked first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(src: _Source, sha256: str) -> Table:
    # calamine (Rust) reads a sheet an order of magnitude faster than openpyxl's read-only
    # mode (100,000 rows: ~2 s of CPU against ~24 s), which the 60 s import target needs.
    from python_calamine import CalamineError, CalamineWorkbook

    def open_sheet() -> tuple[Any, Any]:
        try:
            if src.path is not None:
                workbook = CalamineWorkbook.from_path(str(src.path))
            else:
                workbook = CalamineWorkbook.from_filelike(io.BytesIO(src.data or b""))
            return workbook, workbook.get_sheet_by_index(0)
        except (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ImportFileError(
                "The file cannot be opened as an XLSX workbook (it is damaged or not a "
                "workbook). Save the list again from the spreadsheet program.",
                "file_xlsx_damaged",
            ) from exc

    def numbered(sheet: Any) -> Iterator[tuple[int, list[str]]]:
        # calamine's rows start at the sheet's row 1 (empty rows included), so the row numbers
        # are those the spreadsheet shows.
        try:
            for number, values in enumerate(sheet.iter_rows(), start=1):
                yield number, [_cell(v) for v in values]
        except CalamineError as exc:
            raise ImportFileError(
                "The workbook is damaged part of the way through; save the list again from "
                "the spreadsheet program.",
                "file_xlsx_damaged",
            ) from exc

    workbook, sheet = open_sheet()
    try:
        header_row = 0
        headers: list[str] = []
        for number, cells in numbered(sheet):
            if any(cells):
                header_row, headers = number, cells
                break
        estimate = max((sheet.start or (0, 0))[0] + sheet.height - header_row, 0)
    finally:
        workbook.close()
    if not headers:
        raise ImportFileError("The first sheet of the workbook is empty.", "file_xlsx_empty")

    def rows() -> Iterator[tuple[int, list[str]]]:
        book, ws = open_sheet()
        try:
            for number, cells in numbered(ws):
                if number > header_row and any(cells):
                    yield number, cells
        finally:
            book.close()

    return Table(headers, rows, "xlsx", sha256, None, None, estimate)
