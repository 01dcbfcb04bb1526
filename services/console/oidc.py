"""Signing in with the city's identity provider over OpenID Connect (Authlib), and what its claims make a person.

The authorization-code flow with PKCE: the provider proves who the person is (a signed ID token, checked against
its published keys by Authlib); the role claim (`hotline_roles` by default) says what they act as. A role names a
kind and, for units and leaders, a code: `unit:water`, `coordination`, `leader:city-leader`, `admin`. The API then
judges the person's every request as it would a key of that kind (services/intake/auth.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from services.console.settings import ConsoleSettings
from services.console.staff import Staff
from services.contracts.case_actions import COORDINATION_CENTRE
from services.contracts.credentials import PERSON_PATTERN, ClientKind

PROVIDER = "city"
_NOT_PERSON_CHARS = re.compile(r"[^A-Za-z0-9._@-]")
_PERSON = re.compile(PERSON_PATTERN)


class ClaimsRefused(Exception):
    """The provider signed the person in, but their claims give no role in the console (the reason, in Chinese)."""


@dataclass(frozen=True)
class ClaimNames:
    roles: str = "hotline_roles"
    person: str = "preferred_username"
    name: str = "name"


def role_of(value: str) -> tuple[ClientKind, str] | None:
    """`unit:water` → (unit, water); `coordination` → (coordination, the centre); unknown → None."""
    kind_name, _, code = value.strip().partition(":")
    if kind_name == "coordination" and not code:
        return ClientKind.COORDINATION, COORDINATION_CENTRE
    if kind_name == "admin" and not code:
        return ClientKind.ADMIN, ""
    if kind_name in ("unit", "leader") and code:
        return ClientKind(kind_name), code
    return None


def person_id(claims: Mapping[str, Any], names: ClaimNames) -> str:
    """The person's id as the API's access log keeps it: the person claim, else `email`, else `sub`, made safe.

    A claim that cleans to nothing usable (a name in Chinese characters only) gives way to the next one."""
    for key in (names.person, "email", "sub"):
        value = claims.get(key)
        if not isinstance(value, str | int) or isinstance(value, bool):
            continue
        cleaned = _NOT_PERSON_CHARS.sub("-", str(value)).strip("-.@_")[:128]
        if _PERSON.match(cleaned):
            return cleaned
    raise ClaimsRefused("身份提供方未给出可用的用户标识")


def staff_from_claims(claims: Mapping[str, Any], names: ClaimNames) -> Staff:
    """The person and their first usable role (ClaimsRefused when none)."""
    granted = claims.get(names.roles)
    if isinstance(granted, str):
        values: list[object] = list(granted.split())
    elif isinstance(granted, list | tuple):
        values = list(granted)
    else:  # absent, or not a list (a number, an object): no role given
        values = []
    roles = [role for role in (role_of(value) for value in values if isinstance(value, str)) if role is not None]
    if not roles:
        raise ClaimsRefused(f"您的账号没有本系统的角色（{names.roles}），请联系管理员开通")
    kind, subject = roles[0]
    person = person_id(claims, names)
    name = claims.get(names.name)
    return Staff(
        person=person, name=name if isinstance(name, str) and name.strip() else person, kind=kind, subject=subject
    )


@dataclass(frozen=True)
class OidcSignIn:
    """The registered provider (None when the console has no OIDC settings)."""

    client: StarletteOAuth2App | None
    names: ClaimNames

    @classmethod
    def from_settings(cls, settings: ConsoleSettings) -> OidcSignIn:
        names = ClaimNames(settings.oidc_role_claim, settings.oidc_person_claim, settings.oidc_name_claim)
        if not settings.oidc_issuer:
            return cls(None, names)
        oauth = OAuth()
        client = oauth.register(
            name=PROVIDER,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None,
            server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256"},
        )
        return cls(client, names)
