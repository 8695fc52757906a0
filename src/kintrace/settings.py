"""One settings object for the whole service, read once from the environment (prefix KINTRACE_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A well-known value nobody should run a real instance with; development may use it.
DEFAULT_SESSION_SECRET = "change-me-development-only"


class Settings(BaseSettings):
    """Everything the service can be told from outside; the data dir holds keys and the database."""

    model_config = SettingsConfigDict(env_prefix="KINTRACE_", extra="ignore")

    data_dir: Path = Path("./kintrace-data")
    database_url: str | None = None
    environment: Literal["development", "production", "test"] = "development"
    base_url: str = "http://127.0.0.1:8000"
    # Signs staff session cookies; must be set to a real secret outside development.
    session_secret: SecretStr = SecretStr(DEFAULT_SESSION_SECRET)
    max_body_bytes: int = 64 * 1024
    # Staff uploads (lists to import, photos, scanned letters) are multipart forms under /staff/
    # and may be this large; every other body keeps the small limit above.
    upload_max_bytes: int = 50 * 1024 * 1024
    # How long the first answer to an Idempotency-Key is kept (issue 2 item 4: 24 hours).
    idempotency_ttl_seconds: int = 24 * 3600
    # The organisation that public enquiries are routed to (its short code).
    home_organisation: str = "KT"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "kintrace@localhost"
    default_language: Literal["uk", "ru", "en"] = "uk"
    log_level: str = Field(default="INFO")
    # `kintrace serve` matches new records in a background thread of each web process, and each
    # such thread holds its own candidate index (about 1.3 GiB at a million reports). With
    # several web workers, set it false and run one `kintrace worker` for matching instead.
    match_in_web: bool = True
    # Days a record is kept once its clock starts (issue 6 item 6; `kintrace dispose`): an
    # enquiry from its last change once no open case holds it, a case from its closing.
    # A kind not listed is kept. Environment: KINTRACE_RETENTION_DAYS='{"enquiry": 1826}'.
    retention_days: dict[str, int] = Field(
        default_factory=lambda: {"enquiry": 5 * 365, "case": 5 * 365}
    )

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if (
            self.environment == "production"
            and self.session_secret.get_secret_value() == DEFAULT_SESSION_SECRET
        ):
            raise ValueError(
                "KINTRACE_SESSION_SECRET must be set to a long random value in production; "
                "the built-in development value is public."
            )
        return self

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def resolved_database_url(self) -> str:
        """The database URL: KINTRACE_DATABASE_URL, else a SQLite file inside the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kintrace.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
