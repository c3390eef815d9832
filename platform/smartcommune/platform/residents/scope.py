"""Village scope: a village head acts only for the villages the commune admin linked them to.

A caller is village-scoped for (obj, act) when they hold `village_head` there and no other role of theirs
grants (obj, act) commune-wide (an official who is also a village head is not restricted). The scope is
the set of linked villages (`village_heads`); an unlinked village head has an empty scope.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from smartcommune.platform.residents.models import VillageHead
from smartcommune.platform.villages.models import Village
from smartcommune.tenants import audit
from smartcommune.tenants.authz.authorizer import get_enforcer, roles_in
from smartcommune.tenants.authz.policy import IMPLICIT_ROLE, VILLAGE_HEAD
from smartcommune.tenants.errors import Forbidden, InvalidInput
from smartcommune.tenants.principal import Principal


def village_scope(db: Session, principal: Principal, commune_code: int, obj: str, act: str) -> frozenset[int] | None:
    """None: commune-wide; otherwise the villages this caller may act for."""
    if principal.is_provider_staff:
        return None
    roles = roles_in(principal, commune_code)
    if VILLAGE_HEAD not in roles:
        return None
    enforcer = get_enforcer()
    domain = str(commune_code)
    if any(enforcer.enforce(r, domain, obj, act) for r in roles if r not in (VILLAGE_HEAD, IMPLICIT_ROLE)):
        return None
    return villages_of(db, principal.subject)


def villages_of(db: Session, subject: str) -> frozenset[int]:
    return frozenset(db.scalars(select(VillageHead.village_id).where(VillageHead.subject == subject)))


def outside_scope(villages: Iterable[int] | None = None) -> Forbidden:
    return Forbidden(
        "Trưởng thôn chỉ được thao tác cho thôn/bản mình phụ trách.",
        "A village head may act only for their own village(s).",
        code="outside_village_scope",
        village_ids=sorted(villages or ()),
    )


def set_villages(db: Session, subject: str, village_ids: list[int], *, actor: str, actor_kind: str) -> list[int]:
    """Replace the villages linked to a village head (the admin endpoint); audited."""
    wanted = sorted(set(village_ids))
    if wanted:
        known = set(db.scalars(select(Village.id).where(Village.id.in_(wanted))))
        if missing := [v for v in wanted if v not in known]:
            raise InvalidInput(
                "Thôn/bản không tồn tại.",
                "Unknown village.",
                code="unknown_village",
                field="village_ids",
                village_ids=missing,
            )
    before = sorted(villages_of(db, subject))
    db.execute(delete(VillageHead).where(VillageHead.subject == subject))
    for vid in wanted:
        db.add(VillageHead(subject=subject, village_id=vid, assigned_by=actor))
    db.flush()
    audit.record(
        db,
        actor=actor,
        actor_kind=actor_kind,
        action="set_villages",
        object_type="village_head",
        object_id=subject,
        before={"village_ids": before},
        after={"village_ids": wanted},
    )
    return wanted


def all_links(db: Session) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for subject, vid in db.execute(select(VillageHead.subject, VillageHead.village_id).order_by(VillageHead.subject)):
        out.setdefault(subject, []).append(vid)
    return out
