"""Who is signed in to the console: a person, and what they act as (a unit, the centre, a leader, the admin)."""

from __future__ import annotations

from pydantic import BaseModel

from services.contracts.credentials import ClientKind

# Each role's landing page.
HOME = {
    ClientKind.UNIT: "/queue",
    ClientKind.COORDINATION: "/centre",
    ClientKind.LEADER: "/dashboard",
    ClientKind.ADMIN: "/admin",
}

ROLE_NAMES = {
    ClientKind.UNIT: "承办单位",
    ClientKind.COORDINATION: "基层赋能中心",
    ClientKind.LEADER: "领导",
    ClientKind.ADMIN: "系统管理员",
}


class Staff(BaseModel):
    """Kept in the session cookie (signed, not secret: no key or token is in it)."""

    person: str
    name: str
    kind: ClientKind
    subject: str

    @property
    def home(self) -> str:
        return HOME[self.kind]

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.kind]

    def acting_headers(self) -> dict[str, str]:
        return {
            "X-Hotline-Acting-Kind": self.kind.value,
            "X-Hotline-Acting-Subject": self.subject,
            "X-Hotline-Acting-Person": self.person,
        }
