"""Tables for every stage, the engine/session factory and the shipped Alembic migrations."""

# Table modules beyond models.py register on Base.metadata when imported here.
from kintrace.db import models_attachments as _models_attachments  # noqa: F401
from kintrace.db import models_casework as _models_casework  # noqa: F401
from kintrace.db import models_forensic as _models_forensic  # noqa: F401
from kintrace.db import models_persons as _models_persons  # noqa: F401
from kintrace.db import models_privacy as _models_privacy  # noqa: F401
from kintrace.db import models_security as _models_security  # noqa: F401
from kintrace.db import models_sources as _models_sources  # noqa: F401
from kintrace.db import models_stats as _models_stats  # noqa: F401
from kintrace.db.engine import make_engine, make_sessionmaker
from kintrace.db.migrate import downgrade, upgrade

__all__ = ["downgrade", "make_engine", "make_sessionmaker", "upgrade"]
