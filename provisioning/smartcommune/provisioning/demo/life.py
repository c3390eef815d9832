"""Sample life for a demo commune, made through the platform's services (never SQL): what a commune looks
like after a few weeks of use, so every screen of every app shows real data on first start.

- households in every village with residents; the demo resident heads the first household of the first
  village and is linked to their phone's account (announcements, invoices and surveys reach them);
- a bank account, invoices paid (through the bank-transfer reconciliation) and unpaid;
- field reports in several states, each with a photo; one resolved and rated;
- a published survey with a few answers (not the demo resident's: they can answer it);
- procedure applications (the demo resident's under processing, another ready for pickup);
- announcements with their deliveries: the demo resident has exactly two unread messages (a village
  meeting and an urgent vaccination day), everything older is read;
- listings (a product of the farm, a homestay, a service), a farm with a plot, logs and a harvested lot
  whose trace page is public.

Idempotent: a commune whose first household exists already is left as it is (the seed is one transaction,
so it is either all there or not at all).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcommune.platform.announcements import service as announcements
from smartcommune.platform.announcements.schemas import AnnouncementIn, Targeting
from smartcommune.platform.directory import service as directory
from smartcommune.platform.directory.schemas import ContactIn, DocumentForm, LibraryCategoryIn
from smartcommune.platform.fees import service as fees
from smartcommune.platform.fees.models import FeeType
from smartcommune.platform.fees.schemas import BankAccountIn, BulkIssueIn, BulkLine
from smartcommune.platform.identity.accounts import find_by_username, find_or_create_resident
from smartcommune.platform.identity.phones import normalize_phone
from smartcommune.platform.inbox import service as inbox
from smartcommune.platform.listings import service as listings
from smartcommune.platform.listings.schemas import ListingIn
from smartcommune.platform.payments import service as payments
from smartcommune.platform.payments.adapters import BankTransfer
from smartcommune.platform.procedures import service as procedures
from smartcommune.platform.procedures.schemas import ApplicationForm
from smartcommune.platform.procedures.schemas import TransitionIn as ApplicationMove
from smartcommune.platform.production import service as production
from smartcommune.platform.production.schemas import FarmIn, LogIn, PlotIn
from smartcommune.platform.reports import service as reports
from smartcommune.platform.reports.models import ReportCategory
from smartcommune.platform.reports.schemas import RatingIn, ReportForm
from smartcommune.platform.reports.schemas import TransitionIn as ReportMove
from smartcommune.platform.residents import repository as residents_repo
from smartcommune.platform.residents import service as residents
from smartcommune.platform.residents.models import Household, Resident
from smartcommune.platform.residents.schemas import HouseholdIn, RegistrationIn, ResidentIn
from smartcommune.platform.surveys import service as surveys
from smartcommune.platform.surveys.schemas import QuestionIn, ResponseIn, SurveyIn
from smartcommune.platform.villages import service as villages
from smartcommune.platform.villages.models import Village
from smartcommune.platform.villages.schemas import VillagePatch
from smartcommune.tenants.context import TenantInfo
from smartcommune.tenants.database import app_engine
from smartcommune.tenants.principal import COMMUNE_REALM
from smartcommune.tenants.session import TenantSession, tenant_transaction

ACTOR = "demo-seed"
ACTOR_KIND = "provider"

MEETING = ("Họp thôn {village} tối thứ Sáu", "19 giờ 30 tại nhà văn hóa thôn. Nội dung: kế hoạch làm đường bê tông.")
VACCINATION = ("Lịch tiêm phòng cho trẻ em", "Sáng thứ Bảy tại trạm y tế xã. Mang theo sổ tiêm chủng.")


@dataclass(frozen=True)
class DemoCommune:
    code: int
    slug: str
    villages: tuple[str, ...]  # names of T01, T02, T03 (the template's villages get real names)
    resident_phone: str
    resident_name: str
    lat: float
    lng: float
    bank_account_name: str
    farm: tuple[str, str, str]  # farm name, producer, commodity


HEADS = (
    "Nguyễn Văn Hùng",
    "Trần Thị Mai",
    "Lê Văn Dũng",
    "Phạm Thị Hoa",
    "Hoàng Văn Nam",
    "Võ Thị Thu",
    "Đặng Văn Tuấn",
    "Bùi Thị Hạnh",
    "Đỗ Văn Long",
    "Ngô Thị Lan Anh",
    "Dương Văn Phúc",
    "Lý Thị Ngọc",
    "Huỳnh Văn Sơn",
    "Phan Thị Bích",
    "Vũ Văn Thắng",
    "Trịnh Thị Hằng",
    "Mai Văn Khánh",
    "Tạ Thị Yến",
)
MEMBERS = ("Minh", "Hà", "Khôi", "Linh", "Bảo", "Trang")


def photo(label: str, colour: tuple[int, int, int] = (70, 110, 160)) -> bytes:
    """A small JPEG standing for a phone photo (the upload rules check it is a real image)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 300, 600, 440), fill=(90, 90, 90))
    draw.ellipse((420, 60, 540, 180), fill=(240, 220, 120))
    draw.text((50, 40), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _period(months_back: int) -> str:
    today = date.today()
    month = today.month - months_back
    year = today.year + (month - 1) // 12
    return f"{year:04d}-{(month - 1) % 12 + 1:02d}"


def _subject(code: int, phone: str) -> str:
    """The commune account of a phone, as the first one-time-code login makes it."""
    with Session(app_engine()) as session, session.begin():
        return str(find_or_create_resident(session, code, normalize_phone(phone)).id)


def _staff(username: str) -> str:
    with Session(app_engine()) as session:
        account = find_by_username(session, COMMUNE_REALM, username)
        return str(account.id) if account is not None else username


def seeded(db: TenantSession) -> bool:
    return residents_repo.household_by_number(db, "T01-01") is not None


def seed_life(tenant: TenantInfo, demo: DemoCommune) -> dict[str, Any]:
    """Give `tenant` its sample life (nothing when it has it already). Returns what was made."""
    with tenant_transaction(tenant) as db:
        if seeded(db):
            return {"skipped": True}
        return _seed(db, tenant, demo)


def _seed(db: TenantSession, tenant: TenantInfo, demo: DemoCommune) -> dict[str, Any]:
    made: dict[str, Any] = {}
    official_subject = _staff(f"{demo.slug}.canbo")
    official = reports.Viewer(
        subject=official_subject, actor=f"{demo.slug}.canbo", actor_kind="commune", triager=True, moderator=True
    )
    who_official = procedures.Who(subject=official_subject, actor=f"{demo.slug}.canbo", actor_kind="commune")

    # -- villages: real names for the first three, a population for each --------------------------------
    village_rows = list(db.scalars(select(Village).order_by(Village.code)))
    for i, village in enumerate(village_rows):
        patch = VillagePatch(population=180 + 37 * i)
        if i < len(demo.villages) and village.name != demo.villages[i]:
            patch.name = demo.villages[i]
        villages.update(db, village.id, patch, actor=ACTOR, actor_kind=ACTOR_KIND)

    # -- households and residents -------------------------------------------------------------------------
    households: list[Household] = []
    linked: list[tuple[Resident, str]] = []  # residents with an account: (resident, subject)
    heads = iter(HEADS * 3)
    for vi, village in enumerate(village_rows):
        for n in range(1, 4):
            first = vi == 0 and n == 1
            head = demo.resident_name if first else next(heads)
            household = residents.create_household(
                db,
                HouseholdIn(
                    village_id=village.id,
                    house_number=f"{village.code}-{n:02d}",
                    head_name=head,
                    address_line=f"Số {n * 7}, đường liên thôn, {village.name}",
                    latitude=round(demo.lat + vi * 0.004 + n * 0.0007, 6),
                    longitude=round(demo.lng + vi * 0.003 - n * 0.0006, 6),
                ),
                actor=ACTOR,
                actor_kind=ACTOR_KIND,
            )
            households.append(household)
            phone = demo.resident_phone if first else f"09130{demo.code % 100:02d}{vi:01d}{n:02d}"
            head_row = residents.create_resident(
                db,
                ResidentIn(
                    full_name=head,
                    phone=phone,
                    household_id=household.id,
                    date_of_birth=date(1965 + (vi * 3 + n) % 30, 1 + n, 10 + vi),
                    groups=["nong_dan"] if n != 2 else [],
                ),
                actor=ACTOR,
                actor_kind=ACTOR_KIND,
            )
            family = head.split()[0]
            for m in range(1 + (vi + n) % 2):
                residents.create_resident(
                    db,
                    ResidentIn(
                        full_name=f"{family} {'Thị' if m % 2 == 0 else 'Văn'} {MEMBERS[(vi + n + m) % len(MEMBERS)]}",
                        household_id=household.id,
                        date_of_birth=date(1995 + (vi + n + m) % 20, 3 + m, 5 + n),
                    ),
                    actor=ACTOR,
                    actor_kind=ACTOR_KIND,
                )
            if first or (vi < 2 and n == 2):  # the demo resident and a few neighbours use the app
                subject = _subject(tenant.commune_code, phone)
                residents.register(
                    db,
                    RegistrationIn(full_name=head, village_id=village.id, household_id=household.id),
                    subject=subject,
                    phone=phone,
                    actor=ACTOR,
                )
                db.refresh(head_row)
                linked.append((head_row, subject))
    db.flush()
    made["households"] = len(households)
    me, my_subject = linked[0]
    payer = {r.household_id: s for r, s in linked}

    # -- fees: a bank account, invoices paid and unpaid ------------------------------------------------------
    account = fees.set_bank_account(
        db,
        BankAccountIn(
            bank_bin="970405", account_number=f"3300{tenant.commune_code:05d}0", account_name=demo.bank_account_name
        ),
        actor=ACTOR,
        actor_kind=ACTOR_KIND,
    )
    fee_types = {ft.code: ft for ft in db.scalars(select(FeeType))}
    invoices: dict[str, list[int]] = {}
    for code, months_back, amount in (("ve-sinh", 1, None), ("ve-sinh", 0, None), ("tien-nuoc", 0, 86_000)):
        out = fees.bulk_issue(
            db,
            tenant,
            BulkIssueIn(
                fee_type_id=fee_types[code].id,
                period=_period(months_back),
                lines=[
                    BulkLine(household_id=h.id, amount_vnd=amount, payer_subject=payer.get(h.id)) for h in households
                ],
            ),
            actor=ACTOR,
            actor_kind=ACTOR_KIND,
        )
        invoices[f"{code}/{months_back}"] = out.invoice_ids
    paid = invoices["ve-sinh/1"] + invoices["ve-sinh/0"][1::2]  # last month: everyone; this month: some
    for n, invoice_id in enumerate(paid):
        invoice = fees.get_invoice(db, invoice_id)
        payments.receive_transfer(
            db,
            tenant,
            BankTransfer(
                source="sepay",
                event_id=f"demo-{tenant.commune_code}-{invoice_id}",
                incoming=True,
                amount_vnd=invoice.amount_vnd,
                memo=f"{invoice.reference} chuyen khoan phi ve sinh",
                account_number=account.account_number,
                bank_reference=f"FT{tenant.commune_code}{n:05d}",
                at=datetime.now(UTC) - timedelta(days=20 - n % 15),
            ),
            {"demo": True, "invoice": invoice_id},
            notify_officials=False,
        )
    made["invoices"] = sum(len(v) for v in invoices.values())
    made["paid"] = len(paid)

    # -- field reports, each with a photo, in several states ------------------------------------------------
    categories = {c.code: c for c in db.scalars(select(ReportCategory))}
    reporters = [reports.Viewer(subject=s, actor=f"resident:{s}", actor_kind="resident") for _, s in linked]
    plan = [
        ("chieu-sang", "Đèn đường ở ngã ba trước chợ bị tắt ba đêm nay.", ["accepted", "resolved"], 0),
        ("ha-tang", "Mặt đường bê tông nứt, có ổ gà lớn gần cầu tràn.", ["accepted", "in_progress"], 1),
        ("rac-thai", "Rác thải tập kết bên bờ kênh chưa được thu gom.", [], 2),
        ("o-nhiem", "Nước kênh đổi màu, có mùi hôi sau mưa.", ["accepted"], 1),
        ("khac", "Biển báo tên thôn bị gió làm đổ.", ["rejected"], 2),
        ("thien-tai", "Sạt lở nhẹ taluy đường vào khu sản xuất.", ["accepted", "resolved", "closed"], 0),
    ]
    made_reports = []
    for i, (category, text, moves, who) in enumerate(plan):
        reporter = reporters[who % len(reporters)]
        report = reports.submit(
            db,
            tenant,
            ReportForm(
                category_id=categories[category].id,
                description=text,
                lat=round(demo.lat + 0.002 * i, 6),
                lng=round(demo.lng - 0.0015 * i, 6),
                address=f"Gần nhà văn hóa {demo.villages[i % len(demo.villages)]}",
            ),
            [(f"hien-truong-{i + 1}.jpg", photo(text[:40], (60 + 25 * i, 110, 150)))],
            reporter,
        )
        for step in moves:
            if step == "in_progress":
                reports.assign(db, report.id, official_subject, official, tenant)
            note = {
                "resolved": "Đã khắc phục xong, cảm ơn bà con đã phản ánh.",
                "rejected": "Nội dung trùng với phản ánh đã xử lý trước đó.",
            }.get(step, "")
            reports.transition(db, report.id, ReportMove(to=step, note=note), official)  # type: ignore[arg-type]
        if moves[-1:] == ["resolved"]:
            reports.rate(db, report.id, RatingIn(rating=5, comment="Xử lý nhanh, cảm ơn xã."), reporter)
        made_reports.append(report.id)
    made["reports"] = len(made_reports)

    # -- a survey, published, answered by neighbours ---------------------------------------------------------
    survey = surveys.create(
        db,
        SurveyIn(
            title="Mức độ hài lòng với dịch vụ hành chính công",
            description="Ý kiến của bà con giúp xã phục vụ tốt hơn. Khảo sát mất khoảng 2 phút.",
            closes_at=datetime.now(UTC) + timedelta(days=30),
            target=Targeting(whole_commune=True),
            questions=[
                QuestionIn(
                    kind="rating",
                    prompt="Ông/bà đánh giá thế nào về thái độ phục vụ của cán bộ?",
                    required=True,
                    scale_min=1,
                    scale_max=5,
                ),
                QuestionIn(
                    kind="single_choice",
                    prompt="Thời gian giải quyết hồ sơ có đúng hẹn không?",
                    required=True,
                    choices=["Đúng hẹn", "Trễ hẹn"],
                ),
                QuestionIn(kind="long_text", prompt="Góp ý thêm"),
            ],
        ),
        actor=ACTOR,
        actor_kind=ACTOR_KIND,
    )
    question_ids = [q.id for q in surveys._questions(db, [survey.id]).get(survey.id, [])]
    for n, (_, subject) in enumerate(linked[1:]):
        surveys.respond(
            db,
            survey.id,
            ResponseIn(
                answers={
                    question_ids[0]: 4 + n % 2,
                    question_ids[1]: n % 2,
                    question_ids[2]: "Nên có thêm giờ làm việc sáng thứ Bảy.",
                }
            ),
            subject=subject,
            actor=f"resident:{subject}",
        )
    made["survey"] = survey.id

    # -- procedure applications -------------------------------------------------------------------------------
    online = {p.code: p for p in procedures.catalogue(db, field=None, active_only=True) if p.mode != "in_person"}
    if online:
        birth = online.get("HT-KHAISINH") or next(iter(online.values()))
        copy = online.get("CT-BANSAO") or next(reversed(online.values()))
        mine = procedures.apply(
            db,
            tenant,
            ApplicationForm(
                procedure_id=birth.id,
                applicant_name=me.full_name,
                applicant_phone=demo.resident_phone,
                details="Đăng ký khai sinh cho con thứ hai, sinh tại trạm y tế xã.",
            ),
            [("to-khai.pdf", _pdf("To khai"))],
            procedures.Who(subject=my_subject, actor=f"resident:{my_subject}", actor_kind="resident"),
        )
        procedures.transition(
            db, mine.id, ApplicationMove(to="processing", note="Cán bộ tư pháp đang xử lý."), who_official
        )
        neighbour_resident, neighbour = linked[1]
        theirs = procedures.apply(
            db,
            tenant,
            ApplicationForm(
                procedure_id=copy.id,
                applicant_name=neighbour_resident.full_name,
                details="Chứng thực bản sao giấy chứng nhận quyền sử dụng đất.",
            ),
            [],
            procedures.Who(subject=neighbour, actor=f"resident:{neighbour}", actor_kind="resident"),
        )
        for to in ("processing", "approved", "ready_for_pickup"):
            procedures.transition(db, theirs.id, ApplicationMove(to=to), who_official)  # type: ignore[arg-type]
        made["applications"] = 2

    # -- a farm, a plot, its logs and a harvested lot (public trace page) ---------------------------------------
    farm_name, producer, commodity = demo.farm
    farm = production.create_farm(
        db,
        FarmIn(
            name=farm_name,
            producer_name=producer,
            owner_household_id=households[1].id,
            commodity=commodity,
            area_m2=12_000,
            latitude=round(demo.lat - 0.006, 6),
            longitude=round(demo.lng + 0.004, 6),
        ),
        actor=ACTOR,
        actor_kind=ACTOR_KIND,
    )
    plot = production.add_plot(
        db, farm.id, PlotIn(name="Thửa số 1", crop=commodity, area_m2=5_000), actor=ACTOR, actor_kind=ACTOR_KIND
    )
    now = datetime.now(UTC)
    logs = [
        LogIn(log_type="seeding", plot_id=plot.id, at=now - timedelta(days=120), notes="Xuống giống vụ mới."),
        LogIn(
            log_type="input",
            plot_id=plot.id,
            at=now - timedelta(days=60),
            material="Phân hữu cơ vi sinh",
            input_kind="fertiliser",
            amount=Decimal("250"),
            amount_unit="kg",
        ),
        LogIn(log_type="observation", plot_id=plot.id, at=now - timedelta(days=30), notes="Cây phát triển tốt."),
        LogIn(
            log_type="harvest",
            plot_id=plot.id,
            at=now - timedelta(days=2),
            product_name=commodity,
            quantity=Decimal("300"),
            unit="KGM",
        ),
    ]
    lot = None
    for entry in logs:
        _, new_lot = production.add_log(db, tenant, farm.id, entry, actor=ACTOR, actor_kind=ACTOR_KIND)
        lot = new_lot or lot
    made["lot"] = lot.code if lot is not None else None

    # -- listings -------------------------------------------------------------------------------------------------
    for item in (
        ListingIn(
            kind="product",
            category="nong_san",
            title=f"{commodity} {farm_name}",
            price_vnd=120_000,
            price_unit="kg",
            contact_name=producer,
            contact_phone="0913000111",
            farm_id=farm.id,
            description="Sản phẩm thu hoạch vụ mới, có truy xuất nguồn gốc.",
        ),
        ListingIn(
            kind="tourism",
            category="homestay",
            title=f"Homestay nhà vườn {demo.villages[1]}",
            price_vnd=350_000,
            price_unit="đêm",
            contact_name=HEADS[3],
            contact_phone="0913000222",
            description="Phòng đôi, bữa sáng đặc sản địa phương, xe đạp miễn phí.",
            latitude=round(demo.lat + 0.01, 6),
            longitude=round(demo.lng + 0.01, 6),
        ),
        ListingIn(
            kind="service",
            category="sua_chua",
            title="Sửa chữa máy nông nghiệp",
            price_vnd=150_000,
            price_unit="lần",
            contact_name=HEADS[5],
            contact_phone="0913000333",
            description="Sửa máy cày, máy bơm nước tại nhà.",
        ),
    ):
        listings.create(db, item, actor=ACTOR, actor_kind=ACTOR_KIND)
    made["listings"] = 3

    # -- contacts and the library ------------------------------------------------------------------------------
    if not directory.contacts(db, None):
        for n, contact in enumerate(
            (
                ContactIn(
                    kind="official",
                    name=_admin_name(demo),
                    position="Chủ tịch UBND xã",
                    department="Ủy ban nhân dân xã",
                    phone="0233381" + f"{tenant.commune_code % 10000:04d}"[:4],
                    hours="Thứ Hai – Thứ Sáu, 7 giờ 30 – 17 giờ",
                ),
                ContactIn(
                    kind="official",
                    name="Trần Minh Đức",
                    position="Công chức Tư pháp – Hộ tịch",
                    department="Bộ phận một cửa",
                    phone="0913000444",
                    hours="Thứ Hai – Thứ Sáu, 7 giờ 30 – 11 giờ 30",
                ),
                ContactIn(
                    kind="official",
                    name="Lê Thị Phương",
                    position="Trạm trưởng Trạm y tế xã",
                    department="Trạm y tế",
                    phone="0913000555",
                ),
                ContactIn(kind="hotline", name="Công an xã", phone="0913000113", hours="24/7"),
                ContactIn(kind="hotline", name="Phòng chống thiên tai", phone="0913000666", hours="24/7"),
            )
        ):
            directory.create_contact(
                db, contact.model_copy(update={"sort_order": n}), actor=ACTOR, actor_kind=ACTOR_KIND
            )
    if not directory.categories(db):
        library = directory.create_category(
            db, LibraryCategoryIn(code="van-ban", name="Văn bản của xã"), actor=ACTOR, actor_kind=ACTOR_KIND
        )
        for title, number, summary in (
            (
                "Kế hoạch xây dựng xã nông thôn mới nâng cao năm 2026",
                "45/KH-UBND",
                "Mục tiêu, chỉ tiêu và phân công thực hiện các tiêu chí nông thôn mới nâng cao.",
            ),
            (
                "Quy định thu phí thu gom rác thải sinh hoạt",
                "12/QĐ-UBND",
                "Mức thu, đối tượng miễn giảm và cách nộp phí qua chuyển khoản.",
            ),
            (
                "Hướng dẫn đăng ký khai sinh trực tuyến",
                "03/HD-UBND",
                "Các bước nộp hồ sơ khai sinh trên ứng dụng và nhận kết quả tại bộ phận một cửa.",
            ),
        ):
            directory.add_document(
                db,
                tenant,
                DocumentForm(
                    category_id=library.id,
                    title=title,
                    doc_number=number,
                    summary=summary,
                    issued_on=date.today() - timedelta(days=40),
                ),
                f"{number.replace('/', '-')}.pdf",
                _pdf(title),
                actor=ACTOR,
                actor_kind=ACTOR_KIND,
            )
    made["contacts"] = 5

    # -- announcements: one to another village by SMS and loudspeaker; then the demo resident's two -----------
    announcements.create(
        db,
        tenant,
        AnnouncementIn(
            title=f"Lịch thu gom rác {demo.villages[1]}",
            body="Xe thu gom rác đến vào sáng thứ Hai, thứ Tư và thứ Sáu hằng tuần.",
            target=Targeting(whole_commune=False, village_ids=[village_rows[1].id]),
            channels=["sms"],
            loudspeaker=True,
        ),
        actor=ACTOR,
        actor_kind=ACTOR_KIND,
    )
    # Everything that reached the demo resident so far (receipts, report and application updates) is read.
    for message in inbox.list_for(db, my_subject, before_id=None, limit=200):
        inbox.mark_read(db, my_subject, message.id)
    title, body = MEETING
    announcements.create(
        db,
        tenant,
        AnnouncementIn(
            title=title.format(village=demo.villages[0].removeprefix("Thôn ")),
            body=body,
            target=Targeting(whole_commune=False, village_ids=[village_rows[0].id]),
            channels=[],
        ),
        actor=ACTOR,
        actor_kind=ACTOR_KIND,
    )
    announcements.create(
        db,
        tenant,
        AnnouncementIn(title=VACCINATION[0], body=VACCINATION[1], priority="urgent", channels=["push"]),
        actor=ACTOR,
        actor_kind=ACTOR_KIND,
    )
    made["announcements"] = 3
    return made


def _admin_name(demo: DemoCommune) -> str:
    return {19597: "Hoàng Văn Quang", 16012: "Phạm Thị Thu"}.get(demo.code, "Chủ tịch UBND xã")


def _pdf(title: str) -> bytes:
    return f"%PDF-1.4\n1 0 obj<</Title ({title})>>endobj\ntrailer<<>>\n%%EOF\n".encode()


DEMO_CAMERA = "Camera ngã tư trung tâm xã"


def ensure_camera(tenant: TenantInfo, demo: DemoCommune, stream_url: str) -> str:
    """The demo camera on the simulated camera's stream (its address changes with each `make run`), probed
    once so it shows its real status. Returns that status."""
    from smartcommune.platform.cameras import service as cameras
    from smartcommune.platform.cameras.models import Camera
    from smartcommune.platform.cameras.schemas import CameraIn, CameraPatch

    with tenant_transaction(tenant) as db:
        camera = db.scalar(select(Camera).where(Camera.name == DEMO_CAMERA))
        if camera is None:
            camera = cameras.create(
                db,
                CameraIn(
                    name=DEMO_CAMERA,
                    location=f"Ngã tư trước UBND xã, {demo.villages[0]}",
                    latitude=demo.lat,
                    longitude=demo.lng,
                    stream_url=stream_url,
                    model="Mô phỏng MJPEG (make run)",
                ),
                actor=ACTOR,
                actor_kind=ACTOR_KIND,
            )
        elif camera.stream_url != stream_url:
            cameras.update(db, camera.id, CameraPatch(stream_url=stream_url), actor=ACTOR, actor_kind=ACTOR_KIND)
        camera_id = camera.id
    with tenant_transaction(tenant) as db:
        probed, _, _ = cameras.probe_now(db, tenant, camera_id, actor=ACTOR, actor_kind=ACTOR_KIND)
        return probed.status
