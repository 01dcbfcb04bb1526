"""TLS and credentials for the connections to NATS and Temporal, from the settings (none on `make run`)."""

from __future__ import annotations

import ssl
from typing import Any

from temporalio.service import TLSConfig

from services.contracts.settings import ServiceSettings


def nats_options(settings: ServiceSettings) -> dict[str, Any]:
    """Keyword arguments of `nats.connect` for the settings' TLS and credentials (empty without them)."""
    options: dict[str, Any] = {}
    if settings.nats_tls_ca_file is not None or settings.nats_tls_cert_file is not None:
        context = ssl.create_default_context(
            cafile=str(settings.nats_tls_ca_file) if settings.nats_tls_ca_file else None
        )
        if settings.nats_tls_cert_file is not None and settings.nats_tls_key_file is not None:
            context.load_cert_chain(str(settings.nats_tls_cert_file), str(settings.nats_tls_key_file))
        options["tls"] = context
    if settings.nats_credentials_file is not None:
        options["user_credentials"] = str(settings.nats_credentials_file)
    elif settings.nats_nkey_seed_file is not None:
        options["nkeys_seed"] = str(settings.nats_nkey_seed_file)
    elif settings.nats_user is not None:
        options["user"] = settings.nats_user
        options["password"] = settings.nats_password.get_secret_value() if settings.nats_password else ""
    elif settings.nats_token is not None:
        options["token"] = settings.nats_token.get_secret_value()
    return options


def temporal_tls(settings: ServiceSettings) -> TLSConfig | bool:
    """`tls` of `Client.connect`: False for plain gRPC; a TLSConfig with the CA, client pair and server name."""
    files = (settings.temporal_tls_ca_file, settings.temporal_tls_cert_file, settings.temporal_tls_key_file)
    if not settings.temporal_tls and all(path is None for path in files):
        return False
    ca, cert, key = (path.read_bytes() if path is not None else None for path in files)
    return TLSConfig(
        server_root_ca_cert=ca, client_cert=cert, client_private_key=key, domain=settings.temporal_tls_server_name
    )


def temporal_api_key(settings: ServiceSettings) -> str | None:
    """Temporal Cloud's API key (sent as a bearer token; TLS on)."""
    return settings.temporal_api_key.get_secret_value() if settings.temporal_api_key is not None else None
