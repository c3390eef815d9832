"""EPCIS 2.0 JSON-LD for one lot: harvest as an ObjectEvent (ADD, commissioning), processing/packing as a
TransformationEvent from its source lot. Field inputs before the harvest go into the harvest's ILMD."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
VN = timezone(timedelta(hours=7), "ICT")
EVENT_NS = uuid.UUID("6f1c2b7e-2a8c-4d5e-9b1a-0c7d3e5f8a21")


def event_time(at: datetime) -> str:
    return at.astimezone(VN).isoformat(timespec="milliseconds")


def event_id(base_url: str, kind: str, log_id: int) -> str:
    """Deterministic: re-exporting gives the same ids (EPCIS consumers deduplicate on eventID)."""
    return f"urn:uuid:{uuid.uuid5(EVENT_NS, f'{base_url}/{kind}/{log_id}')}"


def quantity(epc_class: str, amount: float, uom: str) -> dict[str, Any]:
    return {"epcClass": epc_class, "quantity": amount, "uom": uom}


def document(base_url: str, events: list[dict[str, Any]], created: datetime) -> dict[str, Any]:
    return {
        "@context": [EPCIS_CONTEXT, {"sc": f"{base_url}/ns/"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": event_time(created),
        "epcisBody": {"eventList": events},
    }


def harvest_event(
    *,
    base_url: str,
    log_id: int,
    at: datetime,
    epc_class: str,
    amount: float,
    uom: str,
    farm_id: int,
    plot_id: int | None,
    inputs: list[dict[str, Any]],
) -> dict[str, Any]:
    location = f"{base_url}/farms/{farm_id}" + (f"/plots/{plot_id}" if plot_id else "")
    return {
        "type": "ObjectEvent",
        "eventID": event_id(base_url, "harvest", log_id),
        "eventTime": event_time(at),
        "eventTimeZoneOffset": "+07:00",
        "epcList": [],
        "quantityList": [quantity(epc_class, amount, uom)],
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": {"id": location},
        "bizLocation": {"id": f"{base_url}/farms/{farm_id}"},
        "ilmd": {
            "cbvmda:countryOfOrigin": "VN",
            "cbvmda:harvestStartDate": at.astimezone(VN).date().isoformat(),
            "sc:inputs": inputs,
        },
    }


def transformation_event(
    *,
    base_url: str,
    log_id: int,
    at: datetime,
    source: dict[str, Any],
    output: dict[str, Any],
    farm_id: int,
    packing: bool,
) -> dict[str, Any]:
    return {
        "type": "TransformationEvent",
        "eventID": event_id(base_url, "processing", log_id),
        "eventTime": event_time(at),
        "eventTimeZoneOffset": "+07:00",
        "inputQuantityList": [source],
        "outputQuantityList": [output],
        "bizStep": "packing" if packing else "commissioning",
        "disposition": "active",
        "readPoint": {"id": f"{base_url}/farms/{farm_id}"},
        "bizLocation": {"id": f"{base_url}/farms/{farm_id}"},
    }
