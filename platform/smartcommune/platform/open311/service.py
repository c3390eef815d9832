"""GeoReport v2 over field reports: services = active report categories, requests = non-hidden reports.

Field names and envelopes follow the specification (https://wiki.open311.org/GeoReport_v2): `services` /
`service`, `service_definition`, `service_requests` / `request`, `errors` / `error`, with `code` (the HTTP
status) and `description` in each error.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.reports import repository as reports_repo
from smartcommune.platform.reports import service as reports
from smartcommune.platform.reports.models import CLOSED_STATUSES, OPEN_STATUSES, Report, ReportCategory
from smartcommune.platform.reports.schemas import ReportForm
from smartcommune.tenants.context import TenantInfo

DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000


class Open311Error(Exception):
    """An error in the standard's shape: HTTP status `code` and a `description`."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


# -- rendering ----------------------------------------------------------------------------------------
# Characters XML 1.0 cannot carry at all (not even escaped): one in a single name made the whole service
# list unreadable. The input policy refuses them on the way in; rows older than it, or written around the
# API, lose them here.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def to_xml(root: str, item: str | None, payload: Any) -> bytes:
    """`[{...}]` under `<root><item>…</item></root>`, or a dict as `<root>…</root>` (lists inside repeat)."""
    top = ET.Element(root)

    def fill(parent: ET.Element, data: dict[str, Any]) -> None:
        for key, value in data.items():
            if isinstance(value, list):
                holder = ET.SubElement(parent, key)
                for entry in value:
                    child = ET.SubElement(holder, key.rstrip("s"))
                    if isinstance(entry, dict):
                        fill(child, entry)
                    else:
                        child.text = _text(entry)
            else:
                ET.SubElement(parent, key).text = _text(value)

    if item is None:
        fill(top, payload)
    else:
        for entry in payload:
            fill(ET.SubElement(top, item), entry)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8", xml_declaration=False)


def w3c(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if value else None


def parse_w3c(name: str, value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as e:
        raise Open311Error(400, f"{name} must be a w3c datetime, e.g. 2026-01-31T08:00:00+07:00") from e
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# -- services -----------------------------------------------------------------------------------------
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00Z"  # when this endpoint's behaviour last changed (clients cache discovery)


def discovery(endpoint_url: str, contact: str, key_service: str) -> dict[str, Any]:
    """The GeoReport v2 service discovery document (`discovery.xml` / `discovery.json`)."""
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def service_entry(category: ReportCategory) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": category.group_name,
    }


def services(db: Session) -> list[dict[str, Any]]:
    return [service_entry(c) for c in reports_repo.list_categories(db, active_only=True)]


def service_definition(db: Session, service_code: str) -> dict[str, Any]:
    category = reports_repo.category_by_code(db, service_code)
    if category is None or not category.active:
        raise Open311Error(404, f"service_code {service_code} not found")
    return {"service_code": category.code, "attributes": []}


# -- requests -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Links:
    """How to build absolute media URLs for this commune."""

    base: str  # e.g. https://host/t/cam-lo


def request_entry(report: Report, category: ReportCategory, tenant: TenantInfo, media: str | None) -> dict[str, Any]:
    public_text = report.redacted_description if report.redacted_description is not None else report.description
    return {
        "service_request_id": str(report.id),
        "status": "open" if report.status in OPEN_STATUSES else "closed",
        "status_notes": report.status_note or reports.STATUS_LABELS[report.status][0],
        "service_name": category.name,
        "service_code": category.code,
        "description": public_text,
        "agency_responsible": tenant.name,
        "service_notice": f"Hạn xử lý {category.sla_hours} giờ / due within {category.sla_hours} hours",
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(report.updated_at),
        "expected_datetime": w3c(report.sla_due_at),
        "address": report.address,
        "address_id": report.address_code,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lng,
        "media_url": media,
    }


def _entries(
    db: Session, tenant: TenantInfo, rows: Sequence[tuple[Report, ReportCategory]], links: Links
) -> list[dict[str, Any]]:
    photos = reports_repo.photos_of(db, [r.id for r, _ in rows])
    out = []
    for report, category in rows:
        visible = [p for p in photos[report.id] if not p.hidden]
        media = f"{links.base}/api/v1/public/reports/{report.id}/photos/{visible[0].id}" if visible else None
        out.append(request_entry(report, category, tenant, media))
    return out


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def list_requests(db: Session, tenant: TenantInfo, params: dict[str, str], links: Links) -> list[dict[str, Any]]:
    query = (
        select(Report, ReportCategory)
        .join(ReportCategory, ReportCategory.id == Report.category_id)
        .where(*reports.public_visible(db))
        .order_by(Report.created_at.desc(), Report.id.desc())
        .limit(MAX_RESULTS)
    )
    ids = _split(params.get("service_request_id"))
    if ids:  # the standard: a list of ids overrides every other filter
        if not all(i.isascii() and i.isdigit() and len(i) < 19 for i in ids):
            raise Open311Error(400, "service_request_id must be a comma-delimited list of request ids")
        rows = db.execute(query.where(Report.id.in_([int(i) for i in ids]))).all()
        return _entries(db, tenant, [(r, c) for r, c in rows], links)
    codes = _split(params.get("service_code"))
    if codes:
        query = query.where(ReportCategory.code.in_(codes))
    statuses = _split(params.get("status"))
    if statuses:
        if not set(statuses) <= {"open", "closed"}:
            raise Open311Error(400, "status must be open, closed or both (comma-delimited)")
        wanted = [s for st in statuses for s in (OPEN_STATUSES if st == "open" else CLOSED_STATUSES)]
        query = query.where(Report.status.in_(wanted))
    start = parse_w3c("start_date", params["start_date"]) if params.get("start_date") else None
    end = parse_w3c("end_date", params["end_date"]) if params.get("end_date") else None
    if start is not None and end is not None and end < start:
        raise Open311Error(400, "end_date is before start_date")
    if start is None and end is None:
        start = datetime.now(UTC) - DEFAULT_WINDOW
    if start is not None:
        query = query.where(Report.created_at >= start)
    if end is not None:
        query = query.where(Report.created_at <= end)
    rows = db.execute(query).all()
    return _entries(db, tenant, [(r, c) for r, c in rows], links)


def get_request(db: Session, tenant: TenantInfo, request_id: str, links: Links) -> list[dict[str, Any]]:
    if not (request_id.isascii() and request_id.isdigit()) or len(request_id) > 18:
        raise Open311Error(404, f"service_request_id {request_id} not found")
    row = db.execute(
        select(Report, ReportCategory)
        .join(ReportCategory, ReportCategory.id == Report.category_id)
        .where(Report.id == int(request_id), *reports.public_visible(db))
    ).first()
    if row is None:
        raise Open311Error(404, f"service_request_id {request_id} not found")
    return _entries(db, tenant, [(row[0], row[1])], links)


def get_token(db: Session, token: str) -> list[dict[str, Any]]:
    try:
        value = uuid.UUID(token)
    except ValueError as e:
        raise Open311Error(404, f"token {token} not found") from e
    report = db.scalar(select(Report).where(Report.token == value))
    if report is None:
        raise Open311Error(404, f"token {token} not found")
    return [{"service_request_id": str(report.id), "token": token}]


def _float(name: str, value: str | None) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        return float(value)
    except ValueError as e:
        raise Open311Error(400, f"{name} must be a number") from e


def create_request(db: Session, tenant: TenantInfo, form: dict[str, str], api_key_id: int) -> list[dict[str, Any]]:
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    category = reports_repo.category_by_code(db, code)
    if category is None or not category.active:
        raise Open311Error(400, f"service_code {code} not found")
    lat, lng = _float("lat", form.get("lat")), _float("long", form.get("long"))
    address = (form.get("address_string") or "").strip() or None
    address_id = (form.get("address_id") or "").strip() or None
    if (lat is None or lng is None) and not address and not address_id:
        raise Open311Error(400, "lat and long, address_string or address_id is required")
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p and p.strip()) or None
    contact = ", ".join(p.strip() for p in (form.get("email"), form.get("phone")) if p and p.strip()) or None
    try:
        data = ReportForm(
            category_id=category.id,
            description=form.get("description") or category.name,
            lat=lat if lng is not None else None,
            lng=lng if lat is not None else None,
            address_code=address_id,
            address=address,
            anonymous=False,
            reporter_name=name,
        )
    except ValueError as e:
        raise Open311Error(400, f"invalid request: {str(e).splitlines()[0]}") from e
    report = reports.submit(
        db,
        tenant,
        data,
        [],
        None,
        source="open311",
        reporter_contact=contact[:200] if contact else None,
        api_key_id=api_key_id,
    )
    return [
        {
            "service_request_id": str(report.id),
            "service_notice": f"Hạn xử lý {category.sla_hours} giờ / due within {category.sla_hours} hours",
            "account_id": None,
        }
    ]
