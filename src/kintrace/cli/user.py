"""`kintrace user add EMAIL --role ROLE --org ORG`: create a staff account."""

from __future__ import annotations

from typing import Annotated

import typer

from kintrace.cli.common import DEFAULT_DATA_DIR, DataDir, console, fail, settings_for
from kintrace.domain import STAFF_ROLES, Role
from kintrace.errors import AlreadyExists, NotFound, StorageNotSafe, WeakPassword

_ROLE_NAMES = ", ".join(r.value for r in STAFF_ROLES)


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(no_args_is_help=True, help="Staff accounts.")
    app.add_typer(user_app, name="user")

    @user_app.command("add")
    def add(
        email: Annotated[str, typer.Argument(help="The staff member's e-mail address.")],
        role: Annotated[str, typer.Option("--role", help=f"One of: {_ROLE_NAMES}.")],
        org: Annotated[str, typer.Option("--org", help="The organisation's short code.")],
        data_dir: DataDir = DEFAULT_DATA_DIR,
        create_org: Annotated[
            bool, typer.Option("--create-org", help="Create the organisation if it is new.")
        ] = False,
    ) -> None:
        """Add a staff account; the password is asked twice and never echoed."""
        from kintrace.db import make_engine, make_sessionmaker
        from kintrace.intake.staff import (
            MIN_PASSWORD_LENGTH,
            create_user,
            find_organisation,
            get_or_create_organisation,
        )

        if role not in {r.value for r in STAFF_ROLES}:
            fail(f"'{role}' is not a staff role; choose one of: {_ROLE_NAMES}.")
        settings = settings_for(data_dir)
        try:
            engine = make_engine(settings)
        except StorageNotSafe as exc:
            fail(str(exc))
            return
        sessions = make_sessionmaker(engine)
        try:
            with sessions() as session:
                if find_organisation(session, org) is None and not create_org:
                    if not typer.confirm(f"There is no organisation '{org}'. Create it?"):
                        fail("No account was created.")
            password = typer.prompt(
                f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
                hide_input=True,
                confirmation_prompt=True,
            )
            with sessions.begin() as session:
                organisation = get_or_create_organisation(session, org)
                user = create_user(session, email, password, Role(role), organisation)
                user_id = user.id
            console.print(f"Staff account {user_id} created with role [bold]{role}[/] in {org}.")
        except (WeakPassword, AlreadyExists, NotFound) as exc:
            fail(str(exc))
        except Exception as exc:
            # A database that was never migrated is the usual cause; say what to do.
            if "no such table" in str(exc) or "does not exist" in str(exc):
                fail("The database has no tables yet; run `kintrace db upgrade` first.")
            raise
        finally:
            engine.dispose()
