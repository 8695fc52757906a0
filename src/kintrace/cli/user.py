"""`kintrace user add EMAIL --role ROLE --org ORG`: create a staff account."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kintrace.cli.common import (
    DEFAULT_DATA_DIR,
    DataDir,
    console,
    fail,
    opened_engine,
    settings_for,
)
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

    @user_app.command("reset-totp")
    def reset_totp_command(
        email: Annotated[str, typer.Argument(help="The staff member's e-mail address.")],
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Remove a lost authenticator and end every session; the next sign-in sets up a new
        one. For when no administrator can sign in to do it on the accounts page."""
        _change_account(data_dir, email, "reset-totp")

    @user_app.command("disable")
    def disable_command(
        email: Annotated[str, typer.Argument(help="The staff member's e-mail address.")],
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Disable an account and end every session it has."""
        _change_account(data_dir, email, "disable")

    @user_app.command("enable")
    def enable_command(
        email: Annotated[str, typer.Argument(help="The staff member's e-mail address.")],
        data_dir: DataDir = DEFAULT_DATA_DIR,
    ) -> None:
        """Enable a disabled account again."""
        _change_account(data_dir, email, "enable")


def _change_account(data_dir: Path, email: str, change: str) -> None:
    """Apply one administrator change to the account with ``email`` and say what was done."""
    import sqlalchemy as sa

    from kintrace.db import make_sessionmaker
    from kintrace.db.models import User
    from kintrace.intake.staff import normalise_email
    from kintrace.intake.staff_admin import reset_totp, set_active

    with (
        opened_engine(settings_for(data_dir)) as engine,
        make_sessionmaker(engine).begin() as session,
    ):
        user = session.scalar(sa.select(User).where(User.email == normalise_email(email)))
        if user is None:
            fail(f"There is no staff account with the e-mail address {email}.")
            return
        if change == "reset-totp":
            reset_totp(session, user)
        else:
            set_active(session, user, change == "enable")
    console.print(
        {
            "reset-totp": "The authenticator was removed and every session ended; the next "
            "sign-in sets up a new one.",
            "disable": "The account was disabled and every session it had was ended.",
            "enable": "The account was enabled again.",
        }[change]
    )
