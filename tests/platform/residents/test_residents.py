"""Households, residents, CSV import and registration review on real PostgreSQL, both communes."""

from __future__ import annotations

import io
import uuid
from xml.etree import ElementTree

import pytest
from PIL import Image
from sqlalchemy import func, select

from smartcommune.platform.inbox.models import InboxItem
from smartcommune.platform.residents import importing, olc, plates, service
from smartcommune.platform.residents.models import Household, Resident
from smartcommune.platform.residents.schemas import HouseholdIn, RegistrationIn, ResidentIn
from smartcommune.platform.villages.models import Village
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from smartcommune.tenants.session import tenant_transaction


@pytest.mark.parametrize(
    ("lat", "lng", "length", "code"),
    [  # vectors of the Open Location Code specification's test data
        (20.3700625, 2.7821875, 10, "7FG49QCJ+2V"),
        (20.3701125, 2.782234375, 11, "7FG49QCJ+2VX"),
        (20.3701135, 2.78223535156, 13, "7FG49QCJ+2VXGJ"),
        (47.0000625, 8.0000625, 10, "8FVC2222+22"),
        (-41.2730625, 174.7859375, 10, "4VCPPQGP+Q9"),
    ],
)
def test_open_location_code_encoding(lat: float, lng: float, length: int, code: str) -> None:
    assert olc.encode(lat, lng, length) == code


def _village(tenant: TenantInfo, code: str | None = None) -> tuple[int, str]:
    code = code or f"V{uuid.uuid4().hex[:6]}"
    with tenant_transaction(tenant) as db:
        v = Village(code=code, name=f"Thôn {code}", kind="thon")
        db.add(v)
        db.flush()
        return v.id, code


def _count(tenant: TenantInfo, model: type) -> int:
    with tenant_transaction(tenant) as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_household_address_code_and_plate(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    village_id, _ = _village(a)
    number = f"12A-{uuid.uuid4().hex[:4]}"
    with tenant_transaction(a) as db:
        h = service.create_household(
            db,
            HouseholdIn(village_id=village_id, house_number=number, latitude=16.7912, longitude=107.0123),
            actor="canbo",
            actor_kind="commune",
        )
        household_id = h.id
        assert h.plus_code == olc.encode(16.7912, 107.0123, 11)
        assert h.address_code == f"{h.plus_code}/{number}"
        svg = plates.plate_svg(a, h, "Thôn Đông")
        png = plates.plate_png(a, h)
        url = plates.plate_url(a, h)
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output, checked to be well-formed
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert number in texts and a.name in texts and "Thôn Đông" in texts
    assert Image.open(io.BytesIO(png)).format == "PNG"
    assert f"/t/{a.slug}/dia-chi/{number}" in url
    with pytest.raises(Conflict), tenant_transaction(a) as db:
        service.create_household(
            db, HouseholdIn(village_id=village_id, house_number=number), actor="canbo", actor_kind="commune"
        )
    with pytest.raises(InvalidInput), tenant_transaction(a) as db:
        service.create_household(
            db, HouseholdIn(village_id=village_id, house_number="X1", latitude=16.0), actor="c", actor_kind="commune"
        )
    with pytest.raises(NotFound), tenant_transaction(b) as db:
        service.get_household(db, household_id)


def test_household_csv_keeps_good_rows_and_reports_bad_ones(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    _, code = _village(a)
    taken = f"H{uuid.uuid4().hex[:5]}"
    rows = [
        "village_code,house_number,head_name,latitude,longitude",
        f"{code},{taken},<b>Nguyễn Văn A</b>,16.8,107.1",  # row 2 ok (HTML stripped)
        f"KHONG_CO,H{uuid.uuid4().hex[:5]},B,,",  # row 3 unknown village
        f"{code},{taken},C,,",  # row 4 duplicate house number (of row 2)
        f"{code},H{uuid.uuid4().hex[:5]},D,abc,107",  # row 5 latitude not a number
        "",  # blank line: skipped
        f"{code},H{uuid.uuid4().hex[:5]},E,16.81,",  # row 7: position half given
        f"{code},H{uuid.uuid4().hex[:5]},F,,",  # row 8 ok
    ]
    before_b = _count(b, Household)
    with tenant_transaction(a) as db:
        result = importing.import_households(db, "\n".join(rows).encode(), actor="canbo", actor_kind="commune")
    assert result.created == 2 and result.rejected == 4
    problems = {(e.row, e.field, e.code) for e in result.errors}
    assert problems == {
        (3, "village_code", "unknown_village"),
        (4, "house_number", "house_number_taken"),
        (5, "latitude", "not_a_number"),
        (7, "longitude", "incomplete_position"),
    }
    with tenant_transaction(a) as db:
        stored = db.scalars(select(Household).where(Household.id.in_(result.ids))).all()
        assert {h.head_name for h in stored} == {"Nguyễn Văn A", "F"}
    # Importing the same file again loses nothing and adds nothing.
    with tenant_transaction(a) as db:
        again = importing.import_households(db, "\n".join(rows).encode(), actor="canbo", actor_kind="commune")
    assert again.created == 0
    assert {e.row for e in again.errors} == {2, 3, 4, 5, 7, 8}
    assert _count(b, Household) == before_b


def test_resident_csv_import(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    _, code = _village(a)
    with tenant_transaction(a) as db:
        h = service.create_household(
            db,
            HouseholdIn(village_id=_village(a)[0], house_number=f"H{uuid.uuid4().hex[:5]}"),
            actor="c",
            actor_kind="c",
        )
        number, household_village = h.house_number, h.village_id
    phone = f"09{uuid.uuid4().int % 10**8:08d}"
    content = "\ufeff" + "\n".join(
        [
            "full_name;phone;village_code;house_number;date_of_birth;groups",
            f"Trần Thị Bình;{phone};{code};;24/12/1980;nong_dan,phu_huynh",  # 2 ok
            f"Lê Văn Cường;;;{number};1975-02-03;",  # 3 ok: village from the household
            "Phạm Văn D;0123;;;;",  # 4 invalid phone
            f"Hoàng Thị E;{phone};;;;",  # 5 phone taken (row 2)
            "Vũ Văn G;;;;31/02/1990;",  # 6 invalid date
            ";;;;;nong_dan",  # 7 no name
            "Đỗ Văn H;;;KHONG-CO;;",  # 8 unknown household
        ]
    )
    with tenant_transaction(a) as db:
        result = importing.import_residents(db, content.encode(), actor="canbo", actor_kind="commune")
    assert result.created == 2
    assert {(e.row, e.field) for e in result.errors} == {
        (4, "phone"),
        (5, "phone"),
        (6, "date_of_birth"),
        (7, "full_name"),
        (8, "house_number"),
    }
    assert {e.row for e in result.errors} == {4, 5, 6, 7, 8}
    with tenant_transaction(a) as db:
        got = {r.full_name: r for r in db.scalars(select(Resident).where(Resident.id.in_(result.ids)))}
    assert got["Trần Thị Bình"].groups == ["nong_dan", "phu_huynh"]
    assert got["Trần Thị Bình"].phone == "+84" + phone[1:]
    assert str(got["Trần Thị Bình"].date_of_birth) == "1980-12-24"
    assert got["Lê Văn Cường"].village_id == household_village
    assert all(r.source == "import" and r.status == "verified" for r in got.values())


def test_csv_limits() -> None:
    with pytest.raises(PayloadTooLarge):
        importing._decode(b"a" * (importing.MAX_CSV_BYTES + 1))
    with pytest.raises(UnsupportedMediaType):
        importing._decode(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(UnsupportedMediaType):
        importing._decode("họ tên".encode("utf-16"))


def test_registration_is_reviewed_and_the_resident_is_told(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, b = communes
    village_id, _ = _village(a)
    subject = str(uuid.uuid4())
    data = RegistrationIn(full_name="Nguyễn Thị Hoa", village_id=village_id, groups=["phu_huynh"])
    with tenant_transaction(a) as db:
        r = service.register(db, data, subject=subject, phone="0987000111", actor="0987000111")
        rid = r.id
        assert (r.status, r.source, r.phone) == ("pending", "self", "+84987000111")
    with tenant_transaction(a) as db:  # still pending: a corrected submission replaces the first
        fixed = data.model_copy(update={"full_name": "Nguyễn Thị Hoà"})
        again = service.register(db, fixed, subject=subject, phone="0987000111", actor="x")
        assert (again.id, again.full_name, again.status) == (rid, "Nguyễn Thị Hoà", "pending")
    with tenant_transaction(a) as db:
        service.review(db, rid, verify=False, note="Sai thôn", actor="canbo", actor_kind="commune")
    with tenant_transaction(a) as db:  # a rejected registration may be sent again
        assert service.register(db, data, subject=subject, phone="0987000111", actor="x").status == "pending"
    with tenant_transaction(a) as db:
        assert service.review(db, rid, verify=True, note=None, actor="canbo", actor_kind="commune").status == "verified"
    with pytest.raises(Conflict), tenant_transaction(a) as db:
        service.review(db, rid, verify=False, note=None, actor="canbo", actor_kind="commune")
    with pytest.raises(Conflict), tenant_transaction(a) as db:  # verified: nothing left to register
        service.register(db, data, subject=subject, phone="0987000111", actor="x")
    with tenant_transaction(a) as db:
        titles = list(db.scalars(select(InboxItem.title).where(InboxItem.recipient == subject).order_by(InboxItem.id)))
    assert titles == ["Đăng ký cư dân bị từ chối", "Đăng ký cư dân đã được xác nhận"]
    with pytest.raises(NotFound), tenant_transaction(b) as db:
        service.review(db, rid, verify=True, note=None, actor="canbo", actor_kind="commune")


def test_registration_links_an_officials_record_of_the_same_phone(communes: tuple[TenantInfo, TenantInfo]) -> None:
    a, _ = communes
    village_id, _ = _village(a)
    with tenant_transaction(a) as db:
        made = service.create_resident(
            db,
            ResidentIn(full_name="Bùi Văn Nam", phone="0912 777 888", village_id=village_id),
            actor="c",
            actor_kind="c",
        )
    subject = str(uuid.uuid4())
    with tenant_transaction(a) as db:
        linked = service.register(
            db,
            RegistrationIn(full_name="Nam", village_id=village_id),
            subject=subject,
            phone="+84912777888",
            actor="x",
        )
    assert linked.id == made.id and linked.account_subject == subject
    assert (linked.status, linked.full_name) == ("verified", "Bùi Văn Nam")
