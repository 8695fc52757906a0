"""Hypothesis against the parsers that read what strangers send (issue 6 item 8): dates,
reference codes, the exchange CSV reader and the bulk-import mapping. Whatever comes in, each
answers with a value or its own documented refusal — never a crash — and what it writes it
reads back the same."""

from __future__ import annotations

import calendar
import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kintrace.domain.dates import PartialDate, parse_partial_date
from kintrace.domain.ids import new_reference, normalise_reference
from kintrace.errors import KintraceError
from kintrace.intake.reports import Mapping, MappingError, guess_mapping, validate
from kintrace.io.exchange_csv import ExchangeFileError, parse_exchange_csv
from kintrace.io.tables import read_table

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text as people type it into forms and spreadsheets: any script, digits, separators.
typed = st.text(
    alphabet=st.sampled_from("0123456789./- KTkt–—\u00a0АБВЯяЁёЇїQWXZ,;\"'\n\r\t\x00\ufeff"),
    max_size=24,
) | st.text(max_size=24)


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    year = draw(st.integers(1, 9999))
    month = draw(st.none() | st.integers(1, 12))
    day = None
    if month is not None:
        day = draw(st.none() | st.integers(1, calendar.monthrange(year, month)[1]))
    return PartialDate(year, month, day)


@FAST
@given(typed)
def test_any_typed_date_is_read_or_refused_never_a_crash(text: str) -> None:
    parsed = parse_partial_date(text, pivot_year=2026)
    assert parsed is None or isinstance(parsed, PartialDate)


@FAST
@given(partial_dates())
def test_every_date_written_in_iso_form_reads_back_the_same(date: PartialDate) -> None:
    assert parse_partial_date(date.isoformat()) == date
    if date.day is not None and date.month is not None:
        assert parse_partial_date(f"{date.day:02d}.{date.month:02d}.{date.year:04d}") == date


@FAST
@given(typed)
def test_any_typed_reference_is_read_as_a_canonical_code_or_refused(text: str) -> None:
    canonical = normalise_reference(text)
    if canonical is not None:
        assert canonical.startswith("KT-") and len(canonical) == len(new_reference())
        assert normalise_reference(canonical) == canonical


@FAST
@given(st.data())
def test_a_reference_read_aloud_or_typed_loosely_is_still_the_same_reference(
    data: st.DataObject,
) -> None:
    reference = new_reference()
    separator = data.draw(st.sampled_from(["", " ", "-", "  "]))
    loose = separator.join(reference.split("-"))
    loose = loose.lower() if data.draw(st.booleans()) else loose
    assert normalise_reference(loose) == reference


@FAST
@given(st.binary(max_size=400))
def test_any_bytes_as_an_exchange_csv_are_read_or_refused_with_a_sentence(data: bytes) -> None:
    try:
        parsed = parse_exchange_csv(data, name="upload.csv")
    except ExchangeFileError as exc:
        assert str(exc).startswith("upload.csv, row ")
        return
    assert len(parsed.records) == len(parsed.rows)
    assert all(record["record_id"] for record in parsed.records)


cell = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=12).map(
    str.strip
)


@FAST
@given(
    st.lists(st.tuples(cell, cell, cell), max_size=6),
    st.sampled_from([",", ";"]),
    st.sampled_from(["utf-8", "utf-8-sig"]),
)
def test_an_exchange_csv_we_write_reads_back_with_every_value(
    rows: list[tuple[str, str, str]], delimiter: str, encoding: str
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["record_id", "full_name", "birth_date"])
    records = [(f"r{i}", name, born) for i, (_, name, born) in enumerate(rows)]
    writer.writerows(records)
    parsed = parse_exchange_csv(out.getvalue().encode(encoding))
    got = [(r["record_id"], r["full_name"], r["birth_date"]) for r in parsed.records]
    expected = [r for r in records if any(c.strip() for c in r)]
    assert got == expected


@FAST
@given(st.binary(max_size=400))
def test_any_uploaded_file_is_read_or_refused_and_its_dry_run_never_crashes(
    data: bytes,
) -> None:
    try:
        table = read_table(data, filename="list.csv")
        mapping = guess_mapping(table.headers)
        validate(table, mapping)
    except KintraceError:
        pass  # ImportFileError, MappingError, BatchRejected: each a sentence for the person


@FAST
@given(
    st.text(max_size=200) | st.builds(lambda k, v: f'{{"columns": {{"{k}": "{v}"}}}}', cell, cell)
)
def test_any_saved_mapping_text_is_read_or_refused_with_a_mapping_error(text: str) -> None:
    try:
        mapping = Mapping.from_json(text)
    except MappingError:
        return
    assert Mapping.from_json(mapping.to_json()) == mapping
