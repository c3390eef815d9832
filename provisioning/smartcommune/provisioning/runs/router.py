"""Provider API of provisioning: onboard one commune, rollouts, runs, progress (polling and SSE)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import String, literal, update

from smartcommune.platform.cameras import secrets
from smartcommune.platform.http.auth import authorize_provider
from smartcommune.provisioning.manifests.parse import parse as parse_manifest
from smartcommune.provisioning.rollouts import service as rollouts
from smartcommune.provisioning.runs import service as runs
from smartcommune.provisioning.runs.schemas import RunDetail, RunOut, RunPage, RunSpec, StepOut
from smartcommune.provisioning.runs.steps import HANDOVER_KEY
from smartcommune.provisioning.runs.tasks import enqueue
from smartcommune.provisioning.templates.spec import shipped, template_names
from smartcommune.tenants.control.models import ProvisioningStep
from smartcommune.tenants.database import owner_engine
from smartcommune.tenants.errors import InvalidInput, NotFound
from smartcommune.tenants.principal import Principal

router = APIRouter(prefix="/api/provider/v1/provisioning", tags=["provider: provisioning"])


class TemplateOut(BaseModel):
    name: str
    version: int
    title: str
    chain: list[str]
    modules: list[str]


class RolloutIn(BaseModel):
    """Exactly one of: a province, all official communes, or a manifest (CSV or YAML text)."""

    province_code: int | None = None
    all: bool = False
    manifest: str | None = Field(default=None, max_length=5_000_000)
    manifest_format: Literal["csv", "yaml"] = "csv"
    template: str = "base"

    @model_validator(mode="after")
    def _one_scope(self) -> RolloutIn:
        if sum([self.province_code is not None, self.all, self.manifest is not None]) != 1:
            raise ValueError("give exactly one of province_code, all, manifest")
        return self


class RejectedOut(BaseModel):
    row: int
    reason: str
    commune_code: int | None = None


class RolloutStarted(BaseModel):
    rollout_id: uuid.UUID
    runs: int
    skipped: list[tuple[int, str]]
    rejected: list[RejectedOut]


def _detail(run_id: uuid.UUID) -> RunDetail:
    run, steps = runs.get_run(owner_engine(), run_id)
    out = []
    for s in steps:
        # secrets have their own once-only endpoints; the run only says whether they are still there
        output = {k: v for k, v in s.output.items() if k not in ("credentials_csv", HANDOVER_KEY)}
        if s.name == "identity" and "admin_username" in s.output:
            output["handover_available"] = HANDOVER_KEY in s.output
        out.append(StepOut.model_validate(s).model_copy(update={"output": output}))
    return RunDetail(**RunOut.model_validate(run).model_dump(), steps=out)


@router.get("/templates", response_model=list[TemplateOut])
def list_templates(_: Principal = Depends(authorize_provider("fleet", "read"))) -> list[TemplateOut]:
    return [TemplateOut.model_validate(shipped(n).model_dump()) for n in template_names()]


@router.post("/communes", response_model=RunDetail, status_code=202)
def onboard_commune(spec: RunSpec, _: Principal = Depends(authorize_provider("communes", "write"))) -> RunDetail:
    """One call onboards one commune: a run is created and executed on the `provisioning` queue."""
    from smartcommune.tenants.registry import official_or_error

    official_or_error(spec.commune_code, spec.province_code)
    run_id = runs.create_run(owner_engine(), spec)
    enqueue([run_id])
    return _detail(run_id)


@router.get("/runs", response_model=RunPage)
def list_runs(
    rollout_id: uuid.UUID | None = None,
    status: Literal["pending", "running", "succeeded", "failed", "cancelled"] | None = None,
    commune_code: int | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
    _: Principal = Depends(authorize_provider("fleet", "read")),
) -> RunPage:
    items, total = runs.list_runs(
        owner_engine(), rollout_id=rollout_id, status=status, commune_code=commune_code, limit=limit, offset=offset
    )
    return RunPage(items=[RunOut.model_validate(r) for r in items], total=total)


@router.get("/runs/{run_id}", response_model=RunDetail)
def show_run(run_id: uuid.UUID, _: Principal = Depends(authorize_provider("fleet", "read"))) -> RunDetail:
    return _detail(run_id)


@router.post("/runs/{run_id}/cancel", response_model=RunDetail)
def cancel_run(run_id: uuid.UUID, _: Principal = Depends(authorize_provider("fleet", "write"))) -> RunDetail:
    runs.get_run(owner_engine(), run_id)
    runs.cancel(owner_engine(), [run_id])
    return _detail(run_id)


@router.post("/runs/{run_id}/resume", response_model=RunDetail)
def resume_run(run_id: uuid.UUID, _: Principal = Depends(authorize_provider("fleet", "write"))) -> RunDetail:
    """A failed or cancelled run is sent again; it resumes at the step that did not finish."""
    runs.get_run(owner_engine(), run_id)
    enqueue(runs.reopen(owner_engine(), [run_id]))
    return _detail(run_id)


@router.post("/runs/{run_id}/device-credentials", response_class=PlainTextResponse)
def device_credentials(
    run_id: uuid.UUID, principal: Principal = Depends(authorize_provider("fleet", "write"))
) -> PlainTextResponse:
    """The installers' CSV of the devices' MQTT credentials, once: it is erased as it is handed out."""
    _, steps = runs.get_run(owner_engine(), run_id)
    step = next(s for s in steps if s.name == "devices")
    sealed = step.output.get("credentials_csv")
    if not sealed:
        raise NotFound(
            "Không còn thông tin đăng nhập thiết bị (đã lấy hoặc chưa tạo).",
            "No device credentials to hand out (already taken, or none issued).",
            code="credentials_gone",
        )
    with owner_engine().begin() as conn:
        taken = conn.execute(
            update(ProvisioningStep)
            .where(
                ProvisioningStep.run_id == run_id,
                ProvisioningStep.name == "devices",
                ProvisioningStep.output.has_key("credentials_csv"),
            )
            .values(output=ProvisioningStep.output.op("-")(literal("credentials_csv", String)))
        ).rowcount
    if not taken:
        raise NotFound("Thông tin đã được lấy.", "Already taken.", code="credentials_gone")
    return PlainTextResponse(
        secrets.decrypt(sealed["enc"]) or "",
        media_type="text/csv",
        headers={"content-disposition": f'attachment; filename="devices-{run_id}.csv"'},
    )


class AdminHandover(BaseModel):
    commune_code: int
    slug: str | None
    username: str
    password: str = Field(description="mật khẩu dùng một lần: chỉ hiện một lần, phải đổi khi đăng nhập lần đầu")
    sms_sent: bool


@router.post("/runs/{run_id}/admin-handover", response_model=AdminHandover)
def admin_handover(run_id: uuid.UUID, _: Principal = Depends(authorize_provider("communes", "write"))) -> AdminHandover:
    """The first admin's username and one-time password, once: the password is erased as it is shown."""
    run, steps = runs.get_run(owner_engine(), run_id)
    step = next((s for s in steps if s.name == "identity"), None)
    sealed = step.output.get(HANDOVER_KEY) if step is not None else None
    gone = NotFound(
        "Mật khẩu dùng một lần đã được hiển thị hoặc chưa được cấp.",
        "The one-time password was already shown, or none was issued.",
        code="handover_gone",
    )
    if step is None or not sealed:
        raise gone
    with owner_engine().begin() as conn:
        taken = conn.execute(
            update(ProvisioningStep)
            .where(
                ProvisioningStep.run_id == run_id,
                ProvisioningStep.name == "identity",
                ProvisioningStep.output.has_key(HANDOVER_KEY),
            )
            .values(output=ProvisioningStep.output.op("-")(literal(HANDOVER_KEY, String)))
        ).rowcount
    if not taken:
        raise gone
    from smartcommune.tenants.registry import get_commune

    return AdminHandover(
        commune_code=run.commune_code,
        slug=get_commune(owner_engine(), run.commune_code).slug,
        username=str(step.output["admin_username"]),
        password=secrets.decrypt(sealed["enc"]) or "",
        sms_sent=bool(step.output.get("sms_sent")),
    )


@router.post("/rollouts", response_model=RolloutStarted, status_code=201)
def start_rollout(
    data: RolloutIn, principal: Principal = Depends(authorize_provider("fleet", "write"))
) -> RolloutStarted:
    shipped(data.template)
    rejected = []
    if data.manifest is not None:
        manifest = parse_manifest(data.manifest, fmt=data.manifest_format, default_template=data.template)
        specs, rejected, scope = manifest.specs, manifest.rejected, "manifest"
    else:
        specs = rollouts.official_specs(province=data.province_code, template=data.template)
        scope = "all" if data.all else f"province {data.province_code}"
    if not specs and not rejected:
        raise InvalidInput("Không có xã nào trong phạm vi này.", "No commune in this scope.", code="empty_rollout")
    started = rollouts.start(
        owner_engine(),
        specs,
        scope=scope,
        template=data.template,
        requested_by=principal.username or principal.subject,
        rejected=rejected,
    )
    enqueue(started.run_ids)
    return RolloutStarted(
        rollout_id=started.rollout_id,
        runs=len(started.run_ids),
        skipped=started.skipped,
        rejected=[RejectedOut(row=r.row, reason=r.reason, commune_code=r.code) for r in rejected],
    )


@router.get("/rollouts/{rollout_id}")
def rollout_progress(
    rollout_id: uuid.UUID, _: Principal = Depends(authorize_provider("fleet", "read"))
) -> dict[str, object]:
    return rollouts.progress(owner_engine(), rollout_id)


@router.get("/rollouts/{rollout_id}/events")
async def rollout_events(
    rollout_id: uuid.UUID,
    interval: float = Query(default=1.0, ge=0.2, le=30),
    _: Principal = Depends(authorize_provider("fleet", "read")),
) -> StreamingResponse:
    """Server-sent events: a `progress` event whenever the counts change, `done` at the end."""
    first = await asyncio.to_thread(rollouts.progress, owner_engine(), rollout_id)  # 404 before streaming

    async def stream() -> AsyncIterator[str]:
        last = None
        current = first
        while True:
            snapshot = json.dumps(current, ensure_ascii=False)
            if snapshot != last:
                yield f"event: progress\ndata: {snapshot}\n\n"
                last = snapshot
            if current["done"]:
                yield f"event: done\ndata: {snapshot}\n\n"
                return
            await asyncio.sleep(interval)
            current = await asyncio.to_thread(rollouts.progress, owner_engine(), rollout_id)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-cache"})


@router.post("/rollouts/{rollout_id}/cancel")
def cancel_rollout(
    rollout_id: uuid.UUID, _: Principal = Depends(authorize_provider("fleet", "write"))
) -> dict[str, object]:
    rollouts.cancel(owner_engine(), rollout_id)
    return rollouts.progress(owner_engine(), rollout_id)


@router.post("/rollouts/{rollout_id}/resume")
def resume_rollout(
    rollout_id: uuid.UUID, _: Principal = Depends(authorize_provider("fleet", "write"))
) -> dict[str, object]:
    enqueue(rollouts.resume(owner_engine(), rollout_id))
    return rollouts.progress(owner_engine(), rollout_id)
