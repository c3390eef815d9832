from __future__ import annotations

import io

import pytest
from PIL import Image

from smartcommune.platform.common.text import plain_text
from smartcommune.platform.files.service import DOCUMENT, PHOTO, UploadRules, read_file, store_upload
from smartcommune.platform.inbox.service import Message, list_for, mark_read, notify, unread_count
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from smartcommune.tenants.session import tenant_transaction


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (16.0, 45.0, 12.0), 4: (107.0, 5.0, 30.0)}  # GPS IFD: lat/long
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_stored_without_exif_and_only_in_its_commune(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really carries EXIF
    with tenant_transaction(a) as db:
        row = store_upload(db, a, filename="ổ gà.jpg", data=original, purpose="report_photo", actor="t", rules=PHOTO)
        file_id = row.id
    with tenant_transaction(a) as db:
        stored, body = read_file(db, a, file_id)
        data = body.read()
    assert stored.content_type == "image/jpeg" and stored.name == "ổ gà.jpg"
    assert len(Image.open(io.BytesIO(data)).getexif()) == 0
    assert Image.open(io.BytesIO(data)).size == (64, 48)
    with pytest.raises(NotFound), tenant_transaction(b) as db:
        read_file(db, b, file_id)


def test_type_is_judged_by_content_and_size_is_limited(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    with pytest.raises(UnsupportedMediaType), tenant_transaction(a) as db:
        store_upload(db, a, filename="x.jpg", data=b"<html>not an image</html>", purpose="p", actor="t", rules=PHOTO)
    with pytest.raises(UnsupportedMediaType), tenant_transaction(a) as db:
        store_upload(db, a, filename="x.pdf", data=b"%PDF-1.7 ...", purpose="p", actor="t", rules=PHOTO)
    small = UploadRules(PHOTO.allowed_types, 100)
    with pytest.raises(PayloadTooLarge), tenant_transaction(a) as db:
        store_upload(db, a, filename="x.jpg", data=_jpeg_with_gps(), purpose="p", actor="t", rules=small)
    with tenant_transaction(a) as db:
        pdf = store_upload(db, a, filename="qd.pdf", data=b"%PDF-1.7\n%%EOF", purpose="doc", actor="t", rules=DOCUMENT)
        assert pdf.content_type == "application/pdf"


def test_inbox_is_per_recipient_and_per_commune(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    with tenant_transaction(a) as db:
        assert notify(db, ["alice", "bob", "alice"], Message(kind="announcement", title="Lịch cắt điện")) == 2
        first = list_for(db, "alice", before_id=None, limit=10)[0].id
    with tenant_transaction(a) as db:
        assert unread_count(db, "alice") == 1
        with pytest.raises(NotFound):
            mark_read(db, "bob", first)
        assert mark_read(db, "alice", first).read_at is not None
        assert unread_count(db, "alice") == 0
    with tenant_transaction(b) as db:
        assert list_for(db, "alice", before_id=None, limit=10) == []


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<b>Đường</b> hỏng&nbsp;nặng", "Đường hỏng nặng"),
        ("Xin chào<script>alert(1)</script> bà con", "Xin chào bà con"),
        ("  dòng 1  \r\n  dòng   2 ", "dòng 1\ndòng 2"),
        ("a &lt; b", "a < b"),
    ],
)
def test_plain_text(raw: str, clean: str) -> None:
    assert plain_text(raw) == clean
