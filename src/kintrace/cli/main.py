"""The `kintrace` command: each sub-module registers its commands on one Typer app."""

from __future__ import annotations

import typer

app = typer.Typer(
    no_args_is_help=True,
    help="kintrace: tracing people missing in armed conflict.",
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """kintrace: tracing people missing in armed conflict."""


# Each command module exposes register(app). Add one line per module.
# (keep this list short and explicit: the CLI reference in docs is generated from --help)
from kintrace.cli import audit as _audit  # noqa: E402
from kintrace.cli import backup as _backup  # noqa: E402
from kintrace.cli import db as _db  # noqa: E402
from kintrace.cli import dispose as _dispose  # noqa: E402
from kintrace.cli import exports as _exports  # noqa: E402
from kintrace.cli import imports as _imports  # noqa: E402
from kintrace.cli import index as _index  # noqa: E402
from kintrace.cli import keys as _keys  # noqa: E402
from kintrace.cli import link as _link  # noqa: E402
from kintrace.cli import serve as _serve  # noqa: E402
from kintrace.cli import subject_export as _subject_export  # noqa: E402
from kintrace.cli import user as _user  # noqa: E402
from kintrace.cli import worker as _worker  # noqa: E402

_serve.register(app)
_db.register(app)
_user.register(app)
_audit.register(app)
_link.register(app)
_keys.register(app)
_dispose.register(app)
_subject_export.register(app)
_imports.register(app)
_exports.register(app)
_worker.register(app)
_backup.register(app)
_index.register(app)

if __name__ == "__main__":  # pragma: no cover
    app()
