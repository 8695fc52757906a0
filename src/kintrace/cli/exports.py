"""`kintrace export`: a signed batch from a field laptop, or PFIF 1.4 / exchange CSV for a
partner under a recorded data-sharing agreement (never a public feed); `kintrace agreement`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from kintrace.cli.common import DEFAULT_DATA_DIR, DataDir, console, fail
from kintrace.cli.imports import open_store


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        signed_batch: Annotated[
            Path | None,
            typer.Option("--signed-batch", help="Write this instance's reports as a signed batch."),
        ] = None,
        pfif: Annotated[
            Path | None, typer.Option("--pfif", help="Write PFIF 1.4 XML for a partner.")
        ] = None,
        exchange_csv: Annotated[
            Path | None,
            typer.Option("--exchange-csv", help="Write the exchange CSV for a partner."),
        ] = None,
        source: Annotated[
            str | None, typer.Option("--source", help="Only this source's reports.")
        ] = None,
        agreement: Annotated[
            int | None,
            typer.Option(
                "--agreement", help="The data-sharing agreement the export is made under."
            ),
        ] = None,
        user: Annotated[
            str | None,
            typer.Option("--user", help="E-mail of the staff member who requests the export."),
        ] = None,
        domain: Annotated[
            str, typer.Option("--domain", help="Domain prefix of exported PFIF record ids.")
        ] = "kintrace.example.org",
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Export reports: a signed batch (field laptops) or a transfer to a partner."""
        chosen = [p for p in (signed_batch, pfif, exchange_csv) if p is not None]
        if len(chosen) != 1:
            fail("Choose exactly one of --signed-batch, --pfif or --exchange-csv.")
        with open_store(data_dir) as (settings, sessions):
            if signed_batch is not None:
                from kintrace.io.signed_batch import write_signed_batch

                with sessions() as session:  # type: ignore[operator]
                    count = write_signed_batch(session, settings, signed_batch, source_name=source)
                console.print(f"Wrote {count} reports to {signed_batch}, signed.")
                return
            from kintrace.errors import KintraceError
            from kintrace.io.sharing import export_for_partner

            if agreement is None or user is None:
                fail("A transfer needs --agreement ID and --user EMAIL (who asks for it).")
            target = pfif or exchange_csv
            assert target is not None and agreement is not None and user is not None
            try:
                with sessions.begin() as session:  # type: ignore[attr-defined]
                    transfer = export_for_partner(
                        session,
                        agreement_id=agreement,
                        user_email=user,
                        fmt="pfif" if pfif else "exchange_csv",
                        domain=domain,
                    )
                    target.write_bytes(transfer.data)
                    target.chmod(0o600)
            except KintraceError as exc:
                fail(str(exc))
            console.print(
                f"Wrote {transfer.record_count} reports to {target} under agreement {agreement}; "
                f"logged as transfer {transfer.transfer_id}."
            )

    agreement_app = typer.Typer(no_args_is_help=True, help="Data-sharing agreements.")
    app.add_typer(agreement_app, name="agreement")

    @agreement_app.command("add")
    def add_agreement(
        partner: Annotated[str, typer.Option("--partner", help="Partner organisation code.")],
        fields: Annotated[
            str,
            typer.Option(
                "--fields",
                help="Field groups, comma-separated: identity, fate, military, location, family.",
            ),
        ],
        purpose: Annotated[str, typer.Option("--purpose", help="Why the data is shared.")],
        until: Annotated[str, typer.Option("--until", help="Last day (YYYY-MM-DD).")],
        report_types: Annotated[
            str, typer.Option("--report-types", help="Only these report types (comma-separated).")
        ] = "",
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Record what may be sent to a partner, why, and until when."""
        from kintrace.errors import KintraceError
        from kintrace.io.sharing import record_agreement

        try:
            valid_until = datetime.fromisoformat(until).replace(tzinfo=UTC)
        except ValueError:
            fail("--until must be a date written YYYY-MM-DD.")
            return
        with open_store(data_dir) as (_settings, sessions):
            try:
                with sessions.begin() as session:  # type: ignore[attr-defined]
                    agreement_id = record_agreement(
                        session,
                        partner_code=partner,
                        field_groups=[f.strip() for f in fields.split(",") if f.strip()],
                        report_types=[t.strip() for t in report_types.split(",") if t.strip()],
                        purpose=purpose,
                        valid_until=valid_until,
                    )
            except KintraceError as exc:
                fail(str(exc))
        console.print(f"Agreement {agreement_id} recorded with {partner} until {until}.")
