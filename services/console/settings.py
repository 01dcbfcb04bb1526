"""Console settings (`HOTLINE_*` and `HOTLINE_CONSOLE_*`)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.contracts.settings import Environment, ServiceSettings

# `secrets.token_urlsafe(32)` is 43 characters.
MIN_SESSION_SECRET_CHARS = 32


class ConsoleSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_CONSOLE_", env_file=".env", extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )

    host: str = "127.0.0.1"
    port: int = 8090
    api_url: str = Field(default="http://127.0.0.1:8000", description="The intake API the console acts through.")
    api_key: SecretStr | None = Field(
        default=None,
        description="The console's own key (kind `console`, issued by an admin). Development: read from "
        "`dev_credentials_file` when unset. Required outside development.",
    )
    api_timeout_seconds: float = Field(default=30.0, gt=0)
    dev_credentials_file: Path = Path("var/dev-credentials.json")
    session_secret: SecretStr | None = Field(
        default=None,
        description="Signs the session cookie; the same on every console replica. Development: a new one each "
        "start (signing everyone out). Required outside development.",
    )
    session_idle_minutes: float = Field(default=30, gt=0, description="Signed out after this long without a request.")
    session_max_hours: float = Field(default=12, gt=0, description="Signed out this long after signing in, whatever.")
    cookie_secure: bool | None = Field(
        default=None, description="Send the session cookie over HTTPS only (default: everywhere but development)."
    )
    dev_sign_in: bool | None = Field(
        default=None,
        description="Sign in with an API key of the development credentials (default: in development only).",
    )
    queue_page: int = Field(
        default=200,
        ge=1,
        le=500,
        description="How many of a unit's open cases its queue lists, most pressing first (and those to sign for).",
    )
    refresh_seconds: float = Field(
        default=15, gt=0, description="How often an open queue, desk or dashboard asks for what changed."
    )

    oidc_issuer: str | None = Field(default=None, description="The city's identity provider (OpenID Connect).")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid profile email"
    oidc_role_claim: str = Field(
        default="hotline_roles",
        description="The claim listing a person's roles: `unit:<code>`, `coordination`, `leader:<code>`, `admin`.",
    )
    oidc_person_claim: str = Field(default="preferred_username", description="The claim that names the person.")
    oidc_name_claim: str = Field(default="name", description="The claim with the name to show.")

    @model_validator(mode="after")
    def _payload_keys_fit_the_environment(self) -> Self:
        """Replaces the services' check: the console never sees a Temporal payload, so it needs no payload keys
        (deploy/k8s/console.yaml does not give it them)."""
        return self

    @model_validator(mode="after")
    def _secrets_outside_development(self) -> Self:
        if self.environment is not Environment.DEVELOPMENT:
            missing = [
                f"HOTLINE_CONSOLE_{name.upper()}" for name in ("api_key", "session_secret") if not getattr(self, name)
            ]
            if missing:
                raise ValueError(f"{' and '.join(missing)} required outside development")
            assert self.session_secret is not None
            if len(self.session_secret.get_secret_value()) < MIN_SESSION_SECRET_CHARS:
                # Whoever can sign a cookie can be anyone: a short or placeholder secret is no secret.
                least = MIN_SESSION_SECRET_CHARS
                raise ValueError(f"HOTLINE_CONSOLE_SESSION_SECRET: at least {least} characters outside development")
        if self.oidc_issuer and not self.oidc_client_id:
            raise ValueError("HOTLINE_CONSOLE_OIDC_CLIENT_ID is required with HOTLINE_CONSOLE_OIDC_ISSUER")
        if self.oidc_issuer and not self.oidc_issuer.startswith(("https://", "http://")):
            raise ValueError(f"HOTLINE_CONSOLE_OIDC_ISSUER: {self.oidc_issuer!r} is not an http(s) URL")
        return self

    @property
    def development(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @property
    def key_sign_in(self) -> bool:
        return self.development if self.dev_sign_in is None else self.dev_sign_in

    @property
    def secure_cookie(self) -> bool:
        return not self.development if self.cookie_secure is None else self.cookie_secure

    def console_key(self) -> str:
        """The console's API key: the setting, else (development) the development credentials' `console` key."""
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        keys: dict[str, str] = json.loads(self.dev_credentials_file.read_text())["keys"]
        return keys["console"]

    def signing_secret(self) -> str:
        return self.session_secret.get_secret_value() if self.session_secret else secrets.token_urlsafe(32)
