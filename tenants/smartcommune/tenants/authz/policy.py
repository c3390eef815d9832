"""The permission catalogue: shared rules (domain `*`), one copy for the whole fleet.

Each built-in role maps objects to an action: `read`, `write` or `*` (both). Roles do not inherit from
each other; every role lists what it may do, so the catalogue reads as the policy. Commune users are
also implicitly `resident` of the communes they belong to (see `authorizer`), so a commune official
holds the union of `commune_official` and `resident`.

Ownership ("a resident sees only their own reports") is a SQL filter in the feature, not a rule here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from smartcommune.tenants.authz.model import ANY, READ, WRITE, Rule, p_rule

PROVIDER_ADMIN: Final = "provider_admin"
PROVIDER_OPERATOR: Final = "provider_operator"
COMMUNE_ADMIN: Final = "commune_admin"
COMMUNE_OFFICIAL: Final = "commune_official"
VILLAGE_HEAD: Final = "village_head"
RESIDENT: Final = "resident"

PROVIDER_ROLES: Final = (PROVIDER_ADMIN, PROVIDER_OPERATOR)
COMMUNE_ROLES: Final = (COMMUNE_ADMIN, COMMUNE_OFFICIAL, VILLAGE_HEAD, RESIDENT)
BUILTIN_ROLES: Final = PROVIDER_ROLES + COMMUNE_ROLES
IMPLICIT_ROLE: Final = RESIDENT
"""Every member of a commune's organization holds it there, without a `g` line per resident."""

# Objects of the provider console: only provider roles ever get them.
PROVIDER_OBJECTS: Final = ("communes", "fleet", "billing")
# Objects inside one commune. The first nine exist now; the rest are placeholders for coming features.
COMMUNE_OBJECTS: Final = (
    "profile",  # one's own account in the commune (who am I, my roles)
    "users",
    "roles",
    "role_assignments",
    "villages",
    "audit",
    "settings",
    "dashboard",
    "announcements",
    "reports",
    "surveys",
    "procedures",
    "cameras",
    "devices",
    "fees",
    "production",
    "report_triage",  # all of the commune's field reports: accept, progress, resolve, notes, assignment
    "report_moderation",  # reject, mark duplicate, close; hide a report, redact its text or a photo
    "procedure_catalogue",  # the commune's list of administrative procedures
    "applications",  # every resident's applications: process them through their statuses
    "directory",  # contacts of officials and hotlines
    "library",  # the digital library of documents
    "residents",  # the register of households and residents, CSV import, verifying self-registrations
    "survey_builder",  # design surveys, read their results and export them (answering is `surveys`)
    "invoices",  # invoices, receipts, household ledgers (a resident sees their own under /me)
    "payments",  # bank transfers received and the reconciliation queue
    "listings",  # services, tourism and specialty products, and their orders
    "camera_events",  # camera motion events and incidents (officials promote them)
)
OBJECTS: Final = PROVIDER_OBJECTS + COMMUNE_OBJECTS

CATALOGUE: Final[Mapping[str, Mapping[str, str]]] = {
    PROVIDER_ADMIN: dict.fromkeys(OBJECTS, ANY),
    PROVIDER_OPERATOR: {
        "communes": ANY,  # onboard, suspend, resume
        "fleet": ANY,  # migrations, health, rollouts
        "billing": READ,
        "villages": READ,
        "audit": READ,
        "settings": READ,
        "dashboard": READ,
        "cameras": READ,
        "devices": READ,
        "camera_events": READ,
    },
    COMMUNE_ADMIN: dict.fromkeys(COMMUNE_OBJECTS, ANY),
    COMMUNE_OFFICIAL: {
        "users": READ,
        "roles": READ,
        "role_assignments": READ,
        "villages": READ,
        "settings": READ,
        "dashboard": READ,
        "announcements": ANY,
        "reports": ANY,
        "surveys": ANY,
        "procedures": ANY,
        "cameras": READ,
        "devices": ANY,
        "fees": ANY,
        "production": ANY,
        "report_triage": ANY,
        "report_moderation": ANY,
        "procedure_catalogue": ANY,
        "applications": ANY,
        "directory": ANY,
        "library": ANY,
        "residents": ANY,
        "survey_builder": ANY,
        "invoices": ANY,
        "payments": ANY,
        "listings": ANY,
        "camera_events": ANY,
    },
    VILLAGE_HEAD: {
        "users": READ,
        "villages": READ,
        "dashboard": READ,
        "announcements": ANY,
        "reports": ANY,
        "surveys": READ,
        "procedures": READ,
        "cameras": READ,
        "devices": READ,
        "fees": READ,
        "production": ANY,
        "report_triage": ANY,
        "applications": READ,
        "residents": READ,
        "survey_builder": READ,
        "invoices": READ,
        "listings": READ,
        "camera_events": READ,
    },
    RESIDENT: {
        "profile": ANY,  # one's own (ownership is a SQL filter)
        "villages": READ,
        "announcements": READ,
        "reports": ANY,  # submit and follow one's own reports (ownership is a SQL filter)
        "surveys": ANY,  # answer
        "procedures": ANY,  # apply
        "fees": READ,
        "production": READ,
        "listings": READ,
    },
}


def catalogue_allows(role: str, obj: str, act: str) -> bool:
    """What the catalogue says, without casbin: the oracle the tests compare the enforcer against."""
    granted = CATALOGUE.get(role, {}).get(obj)
    return granted is not None and granted in (ANY, act)


def role_permissions(role: str) -> list[tuple[str, str]]:
    return sorted(CATALOGUE.get(role, {}).items())


def shared_rules() -> list[Rule]:
    """The catalogue as casbin lines, all in the shared domain `*`."""
    return [p_rule(role, ANY, obj, act) for role, grants in CATALOGUE.items() for obj, act in grants.items()]


def expand_action(act: str) -> tuple[str, ...]:
    """`*` stands for both concrete actions."""
    return (READ, WRITE) if act == ANY else (act,)
