"""Start a rollout, report its progress, cancel or resume it.

A commune is skipped when it already has a succeeded run of the same template at the current template
version, or a run in progress; everything else gets a run (a commune already onboarded is upgraded to
the template: its run adds what is new and leaves what the commune customised).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, func, insert, select

from smartcommune.provisioning.manifests.parse import Rejected
from smartcommune.provisioning.runs import service as runs
from smartcommune.provisioning.runs.schemas import RunSpec
from smartcommune.provisioning.templates.spec import shipped
from smartcommune.tenants.control.models import ProvisioningRollout, ProvisioningRun, ProvisioningStep
from smartcommune.tenants.errors import NotFound
from smartcommune.tenants.official_list import all_communes


@dataclass
class Started:
    rollout_id: uuid.UUID
    run_ids: list[uuid.UUID]
    skipped: list[tuple[int, str]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def official_specs(*, province: int | None = None, template: str = "base") -> list[RunSpec]:
    return [
        RunSpec(commune_code=c.code, template=template)
        for c in all_communes()
        if province is None or c.province_code == province
    ]


def skip_reasons(engine: Engine, specs: Sequence[RunSpec]) -> dict[int, str]:
    """commune code → why it is skipped."""
    codes = [s.commune_code for s in specs]
    wanted = {s.commune_code: (s.template, shipped(s.template).version) for s in specs}
    out: dict[int, str] = {}
    with engine.connect() as conn:
        for code, status, template, version in conn.execute(
            select(
                ProvisioningRun.commune_code,
                ProvisioningRun.status,
                ProvisioningRun.template,
                ProvisioningStep.output["template_version"].as_integer(),
            )
            .join(
                ProvisioningStep,
                and_(ProvisioningStep.run_id == ProvisioningRun.id, ProvisioningStep.name == "validate"),
            )
            .where(ProvisioningRun.commune_code.in_(codes), ProvisioningRun.status.in_(("succeeded", *runs.ACTIVE)))
        ):
            if status in runs.ACTIVE:
                out[code] = "run in progress"
            elif (template, version) == wanted[code] and code not in out:
                out[code] = "already provisioned"
    return out


def start(
    engine: Engine,
    specs: Sequence[RunSpec],
    *,
    scope: str,
    template: str,
    requested_by: str,
    rejected: Sequence[Rejected] = (),
) -> Started:
    """Create the rollout and its runs in one transaction. The caller sends them (Celery) or runs them."""
    for name in {s.template for s in specs} | {template}:
        shipped(name)
    skip = skip_reasons(engine, specs)
    todo = [s for s in specs if s.commune_code not in skip]
    rollout_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            insert(ProvisioningRollout).values(
                id=rollout_id,
                scope=scope[:200],
                template=template,
                status="running",
                requested_by=requested_by,
                rejected=[{"row": r.row, "reason": r.reason, "commune_code": r.code} for r in rejected],
            )
        )
        run_ids = runs.create_runs(conn, todo, rollout_id=rollout_id)
    return Started(rollout_id, run_ids, sorted(skip.items()), list(rejected))


def progress(engine: Engine, rollout_id: uuid.UUID) -> dict[str, Any]:
    with engine.connect() as conn:
        rollout = conn.execute(select(ProvisioningRollout).where(ProvisioningRollout.id == rollout_id)).first()
        if rollout is None:
            raise NotFound("Không tìm thấy đợt triển khai.", "Rollout not found.", code="rollout_not_found")
        counts: dict[str, int] = {
            status: n
            for status, n in conn.execute(
                select(ProvisioningRun.status, func.count())
                .where(ProvisioningRun.rollout_id == rollout_id)
                .group_by(ProvisioningRun.status)
            )
        }
        failed = [
            {"commune_code": c, "run_id": str(i), "error": e}
            for i, c, e in conn.execute(
                select(ProvisioningRun.id, ProvisioningRun.commune_code, ProvisioningRun.error)
                .where(ProvisioningRun.rollout_id == rollout_id, ProvisioningRun.status == "failed")
                .order_by(ProvisioningRun.commune_code)
                .limit(200)
            )
        ]
    total = sum(counts.values())
    finished = sum(counts.get(s, 0) for s in runs.FINAL)
    return {
        "rollout_id": str(rollout_id),
        "scope": rollout.scope,
        "template": rollout.template,
        "requested_by": rollout.requested_by,
        "created_at": rollout.created_at.isoformat(),
        "total": total,
        "finished": finished,
        "done": finished == total,
        "counts": {s: counts.get(s, 0) for s in ("pending", "running", "succeeded", "failed", "cancelled")},
        "failed": failed,
        "rejected": rollout.rejected,
    }


def run_ids(engine: Engine, rollout_id: uuid.UUID, statuses: Sequence[str]) -> list[uuid.UUID]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(ProvisioningRun.id).where(
                    ProvisioningRun.rollout_id == rollout_id, ProvisioningRun.status.in_(list(statuses))
                )
            ).scalars()
        )


def cancel(engine: Engine, rollout_id: uuid.UUID) -> int:
    progress(engine, rollout_id)
    return runs.cancel(engine, run_ids(engine, rollout_id, runs.ACTIVE))


def resume(engine: Engine, rollout_id: uuid.UUID) -> list[uuid.UUID]:
    """Failed and cancelled runs go back to pending; returns them (to send or run)."""
    progress(engine, rollout_id)
    return runs.reopen(engine, run_ids(engine, rollout_id, ("failed", "cancelled")))
