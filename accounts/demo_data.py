"""Demo users, one of every role (published password; the demo refuses to run in production)."""

from __future__ import annotations

from accounts.models import User
from reference.models import District, Jurisdiction
from zjtx.audit_context import audit_context
from zjtx.roles import Role

DEMO_PASSWORD = "zjtx-demo-2025"

# (username, role, district code, jurisdiction code, is_superuser)
DEMO_USERS: tuple[tuple[str, str, str | None, str | None, bool], ...] = (
    ("admin", "", None, None, True),
    ("official_cq", Role.MUNICIPAL_OFFICIAL, None, "500000", False),
    ("official_bj", Role.MUNICIPAL_OFFICIAL, None, "110000", False),
    ("staff_yubei", Role.DISTRICT_STAFF, "500112", None, False),
    ("staff_jiangbei", Role.DISTRICT_STAFF, "500105", None, False),
    ("staff_haidian", Role.DISTRICT_STAFF, "110108", None, False),
    # The national-level program admin keeps national reference data (tiers, divisions); each city's keeps
    # its own programs, rules and targets.
    ("progadmin", Role.PROGRAM_ADMIN, None, None, False),
    ("progadmin_cq", Role.PROGRAM_ADMIN, None, "500000", False),
    ("progadmin_bj", Role.PROGRAM_ADMIN, None, "110000", False),
    ("auditor", Role.AUDITOR, None, None, False),
)


def _users() -> list[User]:
    users = []
    districts = {d.code: d for d in District.objects.all()}
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    for username, role, district, jurisdiction, superuser in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                role=role,
                district=districts.get(district or ""),
                jurisdiction=jurisdictions.get(jurisdiction or ""),
                is_superuser=superuser,
                is_staff=True,
                # Addresses of a reserved domain (RFC 2606): the demo's digest goes nowhere real.
                email=f"{username}@demo.example.org",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        users.append(user)
    return users


def load_demo(seed: int = 2025) -> str:
    with audit_context(source="demo"):
        _users()
    logins = "\n".join(
        f"  {username:16} {role or 'superuser':20} {district or jurisdiction or 'all'}"
        for username, role, district, jurisdiction, _superuser in DEMO_USERS
    )
    return f"demo logins (password for all: {DEMO_PASSWORD}):\n{logins}"
