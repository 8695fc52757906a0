"""Read and write the exchange CSV that `kintrace link` takes and gives.

The format is the contract in DESIGN.md: a header row, UTF-8 (with or without BOM) or
cp1251, comma- or semicolon-separated. Structural faults stop the run (ExchangeFileError,
naming the row); everything else is read leniently, because files arrive from field offices
typed in spreadsheets, and one odd row must not lose the other million.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kintrace.matching import ScoredPair

#: The columns named by the contract. `record_id` is the only one required.
CORE_COLUMNS: tuple[str, ...] = (
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
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "service_number",
    "mother_maiden_name",
    "capture_date",
    "capture_place",
)
KNOWN_COLUMNS: frozenset[str] = frozenset(CORE_COLUMNS + OPTIONAL_COLUMNS)

# csv's default limit (128 KiB) is a fault in a legitimate file with a long note column.
csv.field_size_limit(16 * 1024 * 1024)


class ExchangeFileError(Exception):
    """A structural fault: the file cannot be read as an exchange CSV at all.

    ``code`` and ``params`` (row numbers, headers) let a page say it in the reader's
    language; the message is the English sentence the CLI prints."""

    def __init__(self, message: str, code: str = "exchange_unreadable", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass
class ExchangeFile:
    """Records of one exchange CSV, as strings, with the file row each came from."""

    records: list[dict[str, str]]
    rows: list[int]
    encoding: str
    delimiter: str
    warnings: list[str] = field(default_factory=list)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # cp1251 maps every byte but five; those become U+FFFD rather than a crash.
    text = data.decode("cp1251", errors="replace")
    # The contract does not name KOI8-U, but a file in it is read as KOI8-U (with a warning)
    # rather than as cp1251 mojibake.
    if reads_as_koi8(data):
        return data.decode("koi8_u", errors="replace"), "koi8-u"
    return text, "cp1251"


def reads_as_koi8(data: bytes) -> bool:
    """True when these (non-UTF-8) bytes read plainly more like names in KOI8-U than in cp1251.

    Old Unix and registry exports are often KOI8-U, which decodes without error as cp1251 into
    other letters («йЧБОПЧ» for «Иванов»), so every name would silently match nothing.
    """
    koi8 = _common_letter_share(data.decode("koi8_u", errors="replace"))
    return koi8 >= _common_letter_share(data.decode("cp1251", errors="replace")) + _KOI8_MARGIN


#: The letters that make up most of any Russian or Ukrainian name list (about 60 % of its
#: Cyrillic letters); cp1251 bytes read as KOI8-U, or the reverse, make them rare.
_COMMON_LETTERS = frozenset("оаеинрвклстмд")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_KOI8_MARGIN = 0.2
_KOI8_MIN_LETTERS = 20


def _common_letter_share(text: str) -> float:
    letters = _CYRILLIC.findall(text.lower())
    if len(letters) < _KOI8_MIN_LETTERS:
        return 0.0
    return sum(c in _COMMON_LETTERS for c in letters) / len(letters)


def _delimiter(header_line: str) -> str:
    # The header holds only column names, so whichever separator it uses more is the one.
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _normalise_header(name: str | None) -> str:
    return (name or "").strip().strip("\ufeff").strip().lower().replace(" ", "_")


def read_exchange_csv(path: str | Path) -> ExchangeFile:
    """Read an exchange CSV; raise ExchangeFileError on a structural fault.

    Row numbers are file lines as a spreadsheet shows them: the header is row 1.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ExchangeFileError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return parse_exchange_csv(data, name=str(path))


def parse_exchange_csv(data: bytes, *, name: str = "input") -> ExchangeFile:
    """Parse exchange CSV bytes; raise ExchangeFileError on a structural fault."""
    if b"\x00" in data[:4096]:
        raise ExchangeFileError(
            f"{name}, row 1: this is not a text CSV file (it contains NUL bytes; "
            "UTF-16 or a spreadsheet file?). Save it as CSV in UTF-8 or cp1251.",
            "file_binary",
        )
    text, encoding = _decode(data)
    warnings: list[str] = []
    if encoding == "koi8-u":
        warnings.append(
            f"{name}: the file's Cyrillic is in KOI8-U, not UTF-8 or cp1251; it was read as "
            "KOI8-U. Save it as UTF-8 to be sure every name reads as written."
        )
    if not text.strip():
        raise ExchangeFileError(
            f"{name}, row 1: the file is empty; a header row is required.", "file_empty"
        )
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header_raw = next(reader)
    except csv.Error as exc:
        raise ExchangeFileError(
            f"{name}, row 1: the header cannot be read ({exc}).", "file_row_unreadable", row=1
        ) from exc
    header = [_normalise_header(h) for h in header_raw]
    if "record_id" not in header:
        raise ExchangeFileError(
            f"{name}, row 1: the header has no record_id column "
            f"(found: {', '.join(h for h in header if h) or 'nothing'})."
        )
    positions: dict[str, int] = {}
    for i, column in enumerate(header):
        if column in KNOWN_COLUMNS and column not in positions:
            positions[column] = i

    records: list[dict[str, str]] = []
    rows: list[int] = []
    seen: dict[str, int] = {}
    id_pos = positions["record_id"]
    width = len(header)
    row_number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ExchangeFileError(
                f"{name}, row {reader.line_num}: the row cannot be parsed ({exc}).",
                "file_row_unreadable",
                row=reader.line_num,
            ) from exc
        row_number = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue  # blank lines at the end of spreadsheet exports carry nothing
        if len(cells) != width:
            warnings.append(
                f"{name}, row {row_number}: {len(cells)} fields where the header has "
                f"{width}; missing fields are read as empty and extra ones ignored."
            )
        record_id = cells[id_pos].strip() if id_pos < len(cells) else ""
        if not record_id:
            raise ExchangeFileError(
                f"{name}, row {row_number}: the record has no record_id.",
                "exchange_no_record_id",
                row=row_number,
            )
        if record_id in seen:
            raise ExchangeFileError(
                f"{name}, row {row_number}: record_id {record_id!r} is already used "
                f"in row {seen[record_id]}; record ids must be unique.",
                "exchange_duplicate_record_id",
                row=row_number,
                first_row=seen[record_id],
            )
        seen[record_id] = row_number
        record = {
            column: (cells[i].strip() if i < len(cells) else "") for column, i in positions.items()
        }
        record["record_id"] = record_id
        records.append(record)
        rows.append(row_number)
    return ExchangeFile(records, rows, encoding, delimiter, warnings)


def iter_pair_rows(pairs: Iterable[ScoredPair], *, explain: bool) -> Iterator[list[str]]:
    """Rows of the output CSV (header first) for scored pairs."""
    header = ["left_id", "right_id", "match_probability"]
    if explain:
        header.append("explanation")
    yield header
    for pair in pairs:
        row = [pair.left_id, pair.right_id, f"{pair.match_probability:.6f}"]
        if explain:
            row.append(pair.explanation or "")
        yield row


def write_pairs_csv(path: str | Path, pairs: Iterable[ScoredPair], *, explain: bool) -> int:
    """Write `left_id,right_id,match_probability[,explanation]` in UTF-8; return the count."""
    count = -1
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for count, row in enumerate(iter_pair_rows(pairs, explain=explain)):  # noqa: B007
            writer.writerow(row)
    return max(count, 0)
