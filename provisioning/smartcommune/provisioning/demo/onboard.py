"""Onboard a demo commune exactly as a provider does: one provisioning run (validate, register, schema,
template `base`, first admin, billing, cameras, devices, verify, activate), executed here in process
instead of by a worker. Idempotent: a commune whose last run succeeded is not run again; a failed or
cancelled run is reopened and resumed where it stopped."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from smartcommune.provisioning.runs import service as runs
from smartcommune.provisioning.runs.schemas import AdminContact, DeviceSpec, RunSpec
from smartcommune.tenants.control.models import ProvisioningRun
from smartcommune.tenants.errors import InvalidInput


def last_run(engine: Engine, commune_code: int) -> ProvisioningRun | None:
    with Session(engine, expire_on_commit=False) as s:
        return s.scalar(
            select(ProvisioningRun)
            .where(ProvisioningRun.commune_code == commune_code)
            .order_by(ProvisioningRun.created_at.desc())
            .limit(1)
        )


def onboard(
    engine: Engine,
    commune_code: int,
    *,
    slug: str,
    admin: AdminContact,
    devices: list[DeviceSpec],
    template: str = "base",
) -> tuple[uuid.UUID, bool]:
    """The commune's succeeded run (and whether it ran now). Raises when the run fails."""
    run = last_run(engine, commune_code)
    if run is not None and run.status == "succeeded":
        return run.id, False
    if run is None:
        spec = RunSpec(commune_code=commune_code, slug=slug, template=template, admin=admin, devices=devices)
        run_id = runs.create_run(engine, spec)
    else:
        run_id = run.id
        if run.status in ("failed", "cancelled"):
            runs.reopen(engine, [run_id])
    outcome = runs.execute(engine, run_id)
    if outcome.status != "succeeded":
        raise InvalidInput(
            f"Khởi tạo xã mẫu {commune_code} không thành công: {outcome.error}",
            f"Onboarding demo commune {commune_code} failed ({outcome.status}): {outcome.error}",
            code="demo_onboarding_failed",
        )
    return run_id, True
