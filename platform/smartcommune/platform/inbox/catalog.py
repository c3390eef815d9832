"""Inbox messages by code: stored as a code and parameters, rendered in the reader's language.

A message names its code and language-neutral parameters (ids, status codes, names people typed); the
inbox keeps both and renders the text for whoever reads it (Vietnamese first, English second). The web
renders the same codes from its own strings (web/src/i18n/areas/messages.*). Free text written by a person
(an official's note) is passed as a parameter and shown as written.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")

Lang = str  # "vi" | "en"

STATUS_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "application": {
        "received": ("Đã tiếp nhận", "Received"),
        "processing": ("Đang giải quyết", "Processing"),
        "needs_info": ("Cần bổ sung hồ sơ", "More information needed"),
        "approved": ("Đã duyệt", "Approved"),
        "rejected": ("Từ chối", "Rejected"),
        "ready_for_pickup": ("Đã có kết quả, mời nhận", "Ready for pickup"),
        "delivered": ("Đã trả kết quả", "Result delivered"),
    },
    "report": {
        "new": ("Mới gửi", "New"),
        "accepted": ("Đã tiếp nhận", "Accepted"),
        "in_progress": ("Đang xử lý", "In progress"),
        "resolved": ("Đã xử lý xong", "Resolved"),
        "closed": ("Đã đóng", "Closed"),
        "rejected": ("Không tiếp nhận", "Rejected"),
        "duplicate": ("Trùng với phản ánh khác", "Duplicate"),
    },
    "camera": {
        "online": ("Trực tuyến", "Online"),
        "degraded": ("Chập chờn", "Degraded"),
        "offline": ("Mất kết nối", "Offline"),
        "unknown": ("Chưa rõ", "Unknown"),
    },
}

# code -> (status family or None, {lang: (title, body)}); `{status_name}` comes from the family's names.
TEMPLATES: dict[str, tuple[str | None, dict[Lang, tuple[str, str]]]] = {
    "application_status": (
        "application",
        {"vi": ("Hồ sơ #{id}: {status_name}", "{note}"), "en": ("Application #{id}: {status_name}", "{note}")},
    ),
    "application_received": (
        "application",
        {
            "vi": ("Hồ sơ #{id}: {status_name}", "Hạn trả kết quả: {due_date}"),
            "en": ("Application #{id}: {status_name}", "Result due: {due_date}"),
        },
    ),
    "application_new": (
        None,
        {"vi": ("Hồ sơ mới #{id}", "{applicant}"), "en": ("New application #{id}", "{applicant}")},
    ),
    "application_supplemented": (
        None,
        {
            "vi": ("Hồ sơ #{id} đã được bổ sung", "{applicant}"),
            "en": ("Application #{id}: documents added", "{applicant}"),
        },
    ),
    "report_new": (
        None,
        {
            "vi": ("Phản ánh mới #{id}: {category}", "{description}"),
            "en": ("New report #{id}: {category}", "{description}"),
        },
    ),
    "report_status": (
        "report",
        {"vi": ("Phản ánh #{id}: {status_name}", "{note}"), "en": ("Report #{id}: {status_name}", "{note}")},
    ),
    "report_comment": (
        None,
        {"vi": ("Phản ánh #{id}: Có phản hồi mới", "{note}"), "en": ("Report #{id}: New reply", "{note}")},
    ),
    "report_assigned": (
        None,
        {"vi": ("Phản ánh #{id} được giao cho bạn", ""), "en": ("Report #{id} is assigned to you", "")},
    ),
    "report_overdue": (
        None,
        {
            "vi": ("Phản ánh #{id} quá hạn xử lý", "Hạn xử lý: {due}"),
            "en": ("Report #{id} is overdue", "Due: {due}"),
        },
    ),
    "camera_status": (
        "camera",
        {
            "vi": ("Camera {name}: {status_name}", "Lý do: {reason}"),
            "en": ("Camera {name}: {status_name}", "Reason: {reason}"),
        },
    ),
    "listing_request_new": (
        None,
        {
            "vi": ("Yêu cầu đặt mới #{id}: {listing}", "{name}"),
            "en": ("New request #{id}: {listing}", "{name}"),
        },
    ),
    "device_offline": (
        None,
        {
            "vi": ("Thiết bị mất kết nối: {name}", "Không nhận dữ liệu quá {minutes} phút."),
            "en": ("Device offline: {name}", "No data for over {minutes} min."),
        },
    ),
    "device_online": (
        None,
        {
            "vi": ("Thiết bị kết nối lại: {name}", "Thiết bị đã gửi dữ liệu trở lại."),
            "en": ("Device back online: {name}", "The device is sending data again."),
        },
    ),
}


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render(code: str | None, params: dict[str, Any] | None, lang: Lang) -> tuple[str, str] | None:
    """(title, body) of a message code in `lang` (Vietnamese when the language is not known); None for a
    code the catalogue does not know (the stored text is shown)."""
    if not code or code not in TEMPLATES:
        return None
    family, texts = TEMPLATES[code]
    title, body = texts.get(lang) or texts["vi"]
    values = _Params(params or {})
    for key in ("due_date", "due"):  # dates as Vietnamese people write them: 10/12/2026, 14:30 10/12/2026
        raw = values.get(key)
        if isinstance(raw, str) and raw:
            with contextlib.suppress(ValueError):
                values[key] = (
                    date.fromisoformat(raw).strftime("%d/%m/%Y")
                    if len(raw) == 10
                    else datetime.fromisoformat(raw).astimezone(VN).strftime("%H:%M %d/%m/%Y")
                )
    if family is not None:
        names = STATUS_NAMES[family].get(str(values.get("status", "")))
        values["status_name"] = (names[1] if lang == "en" else names[0]) if names else values.get("status", "")
    return title.format_map(values).strip(), body.format_map(values).strip()


def language(accept_language: str | None, explicit: str | None = None) -> Lang:
    """The reader's language: `?lang=` first, else the first Accept-Language tag; Vietnamese by default."""
    tag = (explicit or (accept_language or "").split(",")[0]).strip().lower()
    return "en" if tag.startswith("en") else "vi"
