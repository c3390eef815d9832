from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from smartcommune.platform.fees import vietqr
from smartcommune.platform.http.auth import CommuneCall, authorize, request_tenant, tenant_db
from smartcommune.platform.production import service
from smartcommune.platform.production.schemas import (
    CertificationIn,
    CertificationOut,
    FarmDetail,
    FarmIn,
    FarmOut,
    LogCreated,
    LogIn,
    LogOut,
    LotOut,
    PlotIn,
    PlotOut,
    TraceOut,
)
from smartcommune.platform.public_site import trace as public_trace
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import NotFound
from smartcommune.tenants.session import TenantSession

router = APIRouter(prefix="/api/v1/production", tags=["production"])
public_router = APIRouter(tags=["production"])


@router.get("/farms", response_model=list[FarmOut])
def list_farms(call: CommuneCall = Depends(authorize("production", "read"))) -> list[FarmOut]:
    return [FarmOut.model_validate(f) for f in service.list_farms(call.db)]


@router.post("/farms", response_model=FarmOut, status_code=201)
def create_farm(data: FarmIn, call: CommuneCall = Depends(authorize("production", "write"))) -> FarmOut:
    return FarmOut.model_validate(service.create_farm(call.db, data, actor=call.actor, actor_kind=call.actor_kind))


@router.get("/farms/{farm_id}", response_model=FarmDetail)
def get_farm(farm_id: int, call: CommuneCall = Depends(authorize("production", "read"))) -> FarmDetail:
    farm = service.get_farm(call.db, farm_id)
    return FarmDetail(
        **FarmOut.model_validate(farm).model_dump(),
        plots=[PlotOut.model_validate(p) for p in service.farm_plots(call.db, farm_id)],
        certifications=[CertificationOut.model_validate(c) for c in service.farm_certifications(call.db, farm_id)],
    )


@router.post("/farms/{farm_id}/plots", response_model=PlotOut, status_code=201)
def add_plot(farm_id: int, data: PlotIn, call: CommuneCall = Depends(authorize("production", "write"))) -> PlotOut:
    plot = service.add_plot(call.db, farm_id, data, actor=call.actor, actor_kind=call.actor_kind)
    return PlotOut.model_validate(plot)


@router.post("/farms/{farm_id}/certifications", response_model=CertificationOut, status_code=201)
def add_certification(
    farm_id: int, data: CertificationIn, call: CommuneCall = Depends(authorize("production", "write"))
) -> CertificationOut:
    cert = service.add_certification(call.db, farm_id, data, actor=call.actor, actor_kind=call.actor_kind)
    return CertificationOut.model_validate(cert)


@router.get("/farms/{farm_id}/logs", response_model=list[LogOut])
def list_logs(farm_id: int, call: CommuneCall = Depends(authorize("production", "read"))) -> list[LogOut]:
    return [LogOut.model_validate(log) for log in service.list_logs(call.db, farm_id)]


@router.post("/farms/{farm_id}/logs", response_model=LogCreated, status_code=201)
def add_log(farm_id: int, data: LogIn, call: CommuneCall = Depends(authorize("production", "write"))) -> LogCreated:
    """farmOS-style log. A harvest inside an input's pre-harvest interval answers 409 `pre_harvest_interval`;
    a harvest creates a lot, processing/packing creates a lot from `source_lot_id`."""
    log, lot = service.add_log(call.db, call.tenant, farm_id, data, actor=call.actor, actor_kind=call.actor_kind)
    return LogCreated(log=LogOut.model_validate(log), lot=service.lot_out(call.tenant, lot) if lot else None)


@router.get("/lots", response_model=list[LotOut])
def list_lots(farm_id: int | None = None, call: CommuneCall = Depends(authorize("production", "read"))) -> list[LotOut]:
    return [service.lot_out(call.tenant, lot) for lot in service.list_lots(call.db, farm_id)]


@router.get("/lots/{lot_id}", response_model=LotOut)
def get_lot(lot_id: int, call: CommuneCall = Depends(authorize("production", "read"))) -> LotOut:
    return service.lot_out(call.tenant, service.get_lot(call.db, lot_id))


@router.get("/lots/{lot_id}/qr.{fmt}")
def lot_qr(lot_id: int, fmt: str, call: CommuneCall = Depends(authorize("production", "read"))) -> Response:
    """The lot's GS1 Digital Link URI as a QR code: `qr.svg` or `qr.png`."""
    if fmt not in ("svg", "png"):
        raise NotFound("Không có định dạng này.", "Unknown format.", code="format_unknown")
    uri = service.lot_out(call.tenant, service.get_lot(call.db, lot_id)).uri
    if fmt == "svg":
        return Response(vietqr.qr_svg(uri), media_type="image/svg+xml")
    return Response(vietqr.qr_png(uri), media_type="image/png")


@router.get("/lots/{lot_id}/epcis")
def lot_epcis(lot_id: int, call: CommuneCall = Depends(authorize("production", "read"))) -> JSONResponse:
    """EPCIS 2.0 JSON-LD document of the lot's events (harvest, processing/packing)."""
    doc = service.epcis_document(call.db, call.tenant, service.get_lot(call.db, lot_id))
    return JSONResponse(doc, media_type="application/ld+json")


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.query_params.get("format") == "json" or ("application/json" in accept and "text/html" not in accept)


LINKSET = "application/linkset+json"


def _wants_linkset(request: Request) -> bool:
    """GS1 Digital Link resolver: `Accept: application/linkset+json` or `?linkType=all` ask for the links."""
    return LINKSET in request.headers.get("accept", "") or request.query_params.get("linkType") == "all"


def _linkset(data: dict[str, Any]) -> dict[str, Any]:
    """RFC 9264 linkset of the lot's URI with the GS1 link types a resolver serves."""
    uri = data["uri"]
    title = str(data["lot"].get("product_name") or data["lot"].get("code") or "")
    return {
        "linkset": [
            {
                "anchor": uri,
                "https://gs1.org/voc/defaultLink": [
                    {"href": uri, "title": title, "type": "text/html", "hreflang": ["vi"]}
                ],
                "https://gs1.org/voc/traceability": [
                    {
                        "href": uri,
                        "title": f"Truy xuất nguồn gốc — {title}",
                        "type": "text/html",
                        "hreflang": ["vi", "en"],
                    },
                    {"href": f"{uri}?format=json", "title": title, "type": "application/json"},
                ],
            }
        ]
    }


def _trace_response(request: Request, db: TenantSession, tenant: TenantInfo, code: str, gtin: str | None) -> Any:
    data = service.trace(db, tenant, service.resolve_lot(db, code, gtin))
    headers = {
        "Cache-Control": "public, max-age=300",
        "Vary": "Accept",
        "Link": f'<{data["uri"]}?linkType=all>; rel="linkset"; type="{LINKSET}"',
    }
    if _wants_linkset(request):
        return JSONResponse(_linkset(data), headers=headers, media_type=LINKSET)
    if _wants_json(request):
        return JSONResponse(TraceOut(**data).model_dump(mode="json"), headers=headers)
    headers["Vary"] = "Accept, Accept-Language"
    return HTMLResponse(public_trace.page(request, db, tenant, data), headers=headers)


_TRACE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}, LINKSET: {}}, "description": "HTML, JSON (?format=json) or a GS1 linkset"}
}


@public_router.get("/01/{gtin}/10/{lot}", response_model=TraceOut, responses=_TRACE_RESPONSES)
@public_router.head("/01/{gtin}/10/{lot}", response_model=TraceOut, responses=_TRACE_RESPONSES)
def trace_gs1(
    gtin: str,
    lot: str,
    request: Request,
    tenant: TenantInfo = Depends(request_tenant),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Any:
    """GS1 Digital Link resolver on the commune's host: HTML for people, JSON with `?format=json`."""
    return _trace_response(request, db, tenant, lot, gtin)


@public_router.get("/trace/{lot}", response_model=TraceOut, responses=_TRACE_RESPONSES)
@public_router.head("/trace/{lot}", response_model=TraceOut, responses=_TRACE_RESPONSES)
def trace_lot(
    lot: str,
    request: Request,
    tenant: TenantInfo = Depends(request_tenant),
    db: TenantSession = Depends(tenant_db, scope="function"),
) -> Any:
    """A lot without a producer GTIN: the commune-scoped product path."""
    return _trace_response(request, db, tenant, lot, None)
