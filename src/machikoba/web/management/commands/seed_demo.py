"""Build the demo: ~60 fictional shops in three wards (大田区, 墨田区, 葛飾区), one user per
role (an officer for each of two wards, a metro viewer across the 23 special wards), and a
story in every app (drawings, jobs that cross the ward border, the open board, a week to
plan). Safe to run again. It lives in web, the top layer, because it writes through the
services of every app below."""

from __future__ import annotations

import datetime
from collections import Counter

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User, WardRoleAssignment
from machikoba.accounts.services import ward_role_grant
from machikoba.advisory.demo import seed_advisory
from machikoba.board import services as board
from machikoba.companies.choices import CompanyRole
from machikoba.companies.demo import (
    BUYER_EMAIL,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_USERS,
    OTA,
    demo_companies,
)
from machikoba.companies.models import (
    Capability,
    CertificationKind,
    Company,
    CompanyCertification,
    Equipment,
    Material,
    Membership,
    ProcessCategory,
)
from machikoba.companies.services import (
    capability_save,
    certification_save,
    company_create,
    dx_stage_record,
    equipment_save,
    membership_add,
)
from machikoba.drawings import services as drawings
from machikoba.drawings.demo import shaft_drawing_pdf
from machikoba.drawings.models import Document
from machikoba.kpi.demo import seed_kpi
from machikoba.lab.demo import LAB_DEMO_USERS, seed_lab
from machikoba.network import services as network
from machikoba.network.models import Job
from machikoba.programs.demo import seed_programs
from machikoba.programs.demo_homework import seed_homework
from machikoba.programs.models import Program
from machikoba.shopfloor.demo import MANUAL, NC, seed_floor, seed_week, simulator_hours
from machikoba.shopfloor.models import StepWork
from machikoba.subsidies.demo import seed_subsidies
from machikoba.telemetry.demo import seed_machines
from machikoba.wards.models import Municipality, MunicipalityGroup

# Owners of more 大田区 shops, so the DX道場 has a full cohort and a waitlist: the demo
# companies at these indexes (all in 大田区, none in another story) and their owners.
DOJO_SHOPS = (2, 3, 5, 15, 16, 17, 22, 25, 27, 28)
DOJO_OWNER_NAMES = (
    "渡辺 正",
    "伊藤 和子",
    "加藤 誠一",
    "吉田 浩",
    "山田 恵子",
    "松本 隆",
    "井上 明美",
    "木村 修",
    "林 直樹",
    "清水 幸子",
)

# The demo's shaft: the drawing's title block and the job say the same.
DEMO_SHAFT_MATERIAL = "S45C"
DEMO_SHAFT_QUANTITY = 50


class Command(BaseCommand):
    help = (
        "Load the demo wards (fictional companies in 大田区, 墨田区 and 葛飾区 and one user "
        "per role). Idempotent."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo creates accounts with a known password; "
                "it does not run with MACHIKOBA_ENV=production."
            )
        with transaction.atomic():
            companies = self._companies()
            self._users(companies)
            self._drawings(companies)
            self._network(companies)
            self._board(companies)
            self._schedule(companies)
            self._floor(companies)
            self._support(companies)
            seed_kpi(companies=companies)
        wards = Counter(
            (c.ward.code, c.ward.name) if c.ward_id else ("", "区外") for c in companies
        )
        per_ward = ", ".join(
            f"{name} {count}"
            for (_code, name), count in sorted(wards.items(), key=lambda w: (-w[1], w[0]))
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo wards ready: {len(companies)} companies ({per_ward}).")
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, name, *_rest in DEMO_USERS:
            self.stdout.write(f"  {email:<24} {name}")
        self.stdout.write(f"  {BUYER_EMAIL:<24} 発注企業 (区外) の購買担当")
        for email, name in LAB_DEMO_USERS:
            self.stdout.write(f"  {email:<24} {name}")
        self.stdout.write(
            f"  shop{DOJO_SHOPS[0]:02d}@ … shop{DOJO_SHOPS[-1]:02d}@example.com  "
            "owners of ten more 大田区 shops, in the DX道場 with owner@"
        )
        self.stdout.write(
            f"officer@, officer2@ and admin@ sign in with a TOTP code; authenticator secret: "
            f"{DEMO_TOTP_SECRET}"
        )

    def _companies(self) -> list[Company]:
        existing = {
            c.corporate_number: c for c in Company.objects.filter(corporate_number__isnull=False)
        }
        result = []
        for data in demo_companies():
            company = existing.get(data["corporate_number"])
            if company is None:
                company = self._create_company(data)
            result.append(company)
        return result

    def _create_company(self, data: dict) -> Company:
        parts = ("kind", "capabilities", "equipment", "certifications", "dx_stage")
        fields = {k: v for k, v in data.items() if k not in parts}
        # Corporations quote T + their 法人番号 on invoices; a few have not registered.
        if int(fields["corporate_number"][-1]) % 5:
            fields["invoice_number"] = f"T{fields['corporate_number']}"
        company = company_create(actor=None, **fields)
        processes = {p.code: p for p in ProcessCategory.objects.all()}
        materials = {m.code: m for m in Material.objects.all()}
        kinds = {k.code: k for k in CertificationKind.objects.all()}
        for spec in data["capabilities"]:
            capability = Capability(
                process=processes[spec["process"]],
                **{k: v for k, v in spec.items() if k not in ("process", "materials")},
            )
            capability_save(
                actor=None,
                company=company,
                capability=capability,
                materials=[materials[code] for code in spec["materials"]],
            )
        for kind, maker, model_name, count in data["equipment"]:
            equipment_save(
                actor=None,
                company=company,
                equipment=Equipment(kind=kind, maker=maker, model_name=model_name, count=count),
            )
        # Dates relative to the day of seeding, so the demo never ages: certificates
        # run to the end of March at least 15 months ahead; the DX stage was assessed on
        # the last 15 April.
        today = timezone.localdate()
        for code in data["certifications"]:
            certification_save(
                actor=None,
                company=company,
                certification=CompanyCertification(
                    kind=kinds[code], valid_until=datetime.date(today.year + 2, 3, 31)
                ),
            )
        assessed_on = datetime.date(today.year, 4, 15)
        if assessed_on > today:
            assessed_on = assessed_on.replace(year=today.year - 1)
        dx_stage_record(
            actor=None, company=company, stage=data["dx_stage"], assessed_on=assessed_on
        )
        return company

    def _users(self, companies: list[Company]) -> None:
        for email, name, company_index, company_role, ward_role, is_admin, serves in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                if is_admin:
                    user = User.objects.create_superuser(email, DEMO_PASSWORD, name=name)
                else:
                    user = User.objects.create_user(email, DEMO_PASSWORD, name=name)
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if company_index is not None:
                company = companies[company_index]
                if not Membership.objects.filter(user=user, company=company).exists():
                    membership_add(actor=None, company=company, user=user, role=company_role)
            if ward_role:
                self._grant(user, ward_role, serves)
            if (ward_role == WardRole.OFFICER or is_admin) and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists():
                Authenticator.objects.create(
                    user=user,
                    type=Authenticator.Type.TOTP,
                    data={"secret": encrypt(DEMO_TOTP_SECRET)},
                )
        # The demo owner also helps at a second shop, to show the company switcher.
        owner = User.objects.get(email="owner@example.com")
        second = companies[1]
        if not Membership.objects.filter(user=owner, company=second).exists():
            membership_add(actor=None, company=second, user=owner, role=CompanyRole.STAFF)

    @staticmethod
    def _grant(user: User, role: str, serves: str) -> None:
        """``role`` for the municipality whose code ``serves`` is, or for the group it
        names (特別区 for the metro viewer), unless the user already has that grant."""
        municipality = Municipality.objects.filter(code=serves).first()
        group = None if municipality else MunicipalityGroup.objects.get(name=serves)
        if not WardRoleAssignment.objects.filter(
            user=user, role=role, municipality=municipality, group=group
        ).exists():
            ward_role_grant(
                actor=None, user=user, role=role, municipality=municipality, group=group
            )

    def _drawings(self, companies: list[Company]) -> None:
        """The demo owner's shop has a drawing, shared (NDA accepted) with the second shop
        where the owner also works, so both sides of sharing can be tried."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        owner_shop, partner = companies[0], companies[1]
        if Document.objects.filter(company=owner_shop).exists():
            return
        owner = User.objects.get(email="owner@example.com")
        nda = drawings.nda_publish(
            actor=owner,
            company=owner_shop,
            body="第1条 受領した図面・仕様を、本取引以外の目的に使用しません。\n"
            "第2条 当社の書面による承諾なく、第三者に開示しません。\n"
            "第3条 取引終了後は、受領した図面を速やかに破棄します。",
        )
        # The title block agrees with the job below (S45C, 50 pieces, the same diameters).
        pdf = shaft_drawing_pdf(
            drawing_number="TK-2026-014",
            title="段付きシャフト",
            company=owner_shop.name,
            material=DEMO_SHAFT_MATERIAL,
            quantity=DEMO_SHAFT_QUANTITY,
        )
        document = drawings.document_create(
            actor=owner,
            company=owner_shop,
            title="段付きシャフト",
            drawing_number="TK-2026-014",
            kind="drawing",
            upload=SimpleUploadedFile("TK-2026-014_shaft.pdf", pdf),
            change_note="初版",
        )
        drawings.grant_create(actor=owner, document=document, grantee=partner)
        drawings.nda_accept(actor=owner, company=partner, nda=nda)

    def _board(self, companies: list[Company]) -> None:
        """A buyer from outside every ward on the platform (its postal code places it in
        川崎市, which is not registered: its company has no ward) with a request on the open
        board; three shops of two wards have raised their hands for its processes."""
        import datetime as dt

        from django.utils import timezone

        if User.objects.filter(email=BUYER_EMAIL).exists():
            return
        buyer_user = User.objects.create_user(BUYER_EMAIL, DEMO_PASSWORD, name="川崎 購買")
        EmailAddress.objects.create(user=buyer_user, email=BUYER_EMAIL, verified=True, primary=True)
        buyer = board.buyer_register(
            actor=buyer_user,
            name="川崎油圧機器株式会社",
            prefecture="神奈川県",
            municipality="川崎市川崎区",
            postal_code="210-0867",
            address_line="扇町 5-1",
        )
        today = timezone.localdate()
        route = [
            ("cutting.turning.nc_lathe", "φ40 h6 全長 320"),
            ("heat_treatment.quench_temper", "HRC 45〜50"),
            ("surface.plating.hard_chrome", "めっき厚 20 µm"),
            ("grinding.cylindrical", "Ra 0.2"),
        ]
        request = board.request_post(
            actor=buyer_user,
            company=buyer,
            part_name="油圧シリンダ用ロッド",
            drawing_number="KH-5520",
            material_note="S45C",
            quantity=40,
            due_date=today + dt.timedelta(days=45),
            answer_by=today + dt.timedelta(days=10),
            processes=[(ProcessCategory.objects.get(code=c), spec) for c, spec in route],
            description="試作 40 本。量産時は月 200 本の見込みです。",
        )
        for email, company_index, position, comment in (
            ("heat@example.com", 7, 2, "成績書付きで 5 日で対応できます。"),
            ("plating@example.com", 8, 3, "硬質クロム 20 µm、実績多数です。"),
            ("grinding@example.com", 9, 4, "円筒研削、Ra 0.2 まで対応します。"),
        ):
            board.hand_raise(
                actor=User.objects.get(email=email),
                company=companies[company_index],
                process=request.processes.get(position=position),
                lead_time_days=5,
                comment=comment,
            )

    def _schedule(self, companies: list[Company]) -> None:
        """A week of turning for the demo owner's machines (設備の計画), including a job it
        turns for the grinding shop."""
        if StepWork.objects.filter(company=companies[0]).exists():
            return
        seed_week(
            company=companies[0],
            owner=User.objects.get(email="owner@example.com"),
            customer=companies[9],
            customer_owner=User.objects.get(email="grinding@example.com"),
        )

    def _floor(self, companies: list[Company]) -> None:
        """The demo owner's lathes report their state (MQTT sensors, which ``make demo``
        simulates live) with the history of the last working days, and the 日報 of those
        days, approved: the board, OEE, the Pareto and the trend show figures at once, and
        the plan starts from measured times."""
        shop = companies[0]
        hours = simulator_hours(shop.pk)
        machines = seed_machines(company=shop, hours=hours)
        seed_floor(
            company=shop,
            owner=User.objects.get(email="owner@example.com"),
            workers={
                NC: User.objects.get(email="worker@example.com"),
                MANUAL: User.objects.get(email="staff@example.com"),
            },
            machines=machines,
            hours=hours,
        )

    def _network(self, companies: list[Company]) -> None:
        """A job in progress at the demo owner's shop (大田区): turning started in-house, the
        heat treatment out for quotes at two shops, one of which has answered: heat@'s in
        大田区 and, across the ward border, heat2@'s in 墨田区 (the plater is there too)."""
        import datetime as dt

        from django.utils import timezone

        owner_shop = companies[0]
        if Job.objects.filter(company=owner_shop).exists():
            return
        owner = User.objects.get(email="owner@example.com")
        today = timezone.localdate()
        job = network.job_create(
            actor=owner,
            company=owner_shop,
            part_name="段付きシャフト",
            drawing_number="TK-2026-014",
            quantity=DEMO_SHAFT_QUANTITY,
            due_date=today + dt.timedelta(days=30),
            material_note=f"{DEMO_SHAFT_MATERIAL} 調質",
            documents=list(Document.objects.filter(company=owner_shop)),
        )
        route = [
            ("cutting.turning.nc_lathe", True, -2, 3, "外径 φ30 h7 仕上げ代 0.3 mm"),
            ("heat_treatment.quench_temper", False, 4, 8, "HRC 55±2 (図面シート2)"),
            ("surface.plating.hard_chrome", False, 9, 14, "めっき厚 20 µm"),
            ("grinding.cylindrical", False, 15, 20, "φ30 h7 Ra 0.4"),
        ]
        steps = []
        for code, in_house, start, end, spec in route:
            steps.append(
                network.step_add(
                    actor=owner,
                    job=job,
                    process=ProcessCategory.objects.get(code=code),
                    in_house=in_house,
                    spec=spec,
                    planned_start=today + dt.timedelta(days=start),
                    planned_end=today + dt.timedelta(days=end),
                )
            )
        network.step_start(actor=owner, step=steps[0])
        heat, heat2 = companies[7], companies[21]
        rfq = network.rfq_send(
            actor=owner,
            job=job,
            steps=[steps[1]],
            recipients=[heat, heat2],
            deadline=timezone.now() + dt.timedelta(days=3),
            message="50本、焼入れ焼戻し後に硬さ試験成績書をお願いします。",
        )
        network.quote_submit(
            actor=User.objects.get(email="heat@example.com"),
            recipient=rfq.recipients.get(company=heat),
            price=62_000,
            lead_time_days=4,
            valid_until=today + dt.timedelta(days=30),
            conditions="成績書付き。引取・納品は当社便で対応します。",
        )

    def _support(self, companies: list[Company]) -> None:
        """The ward's support office in 大田区: a DX道場 cohort half-way through (owner@ is
        in it, with homework), a リーダー講座 taking applications, last year's graduates
        and their follow-ups, and three advisor engagements in different phases (owner@'s
        shop is in 導入, with a visit to sign off)."""
        ota = Municipality.objects.get(code=OTA)
        if Program.objects.filter(municipality=ota).exists():
            return
        for index, name in zip(DOJO_SHOPS, DOJO_OWNER_NAMES, strict=True):
            email = f"shop{index:02d}@example.com"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, DEMO_PASSWORD, name=name
            )
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if not Membership.objects.filter(user=user, company=companies[index]).exists():
                membership_add(
                    actor=None, company=companies[index], user=user, role=CompanyRole.OWNER
                )
        officer = User.objects.get(email="officer@example.com")
        instructor = User.objects.get(email="instructor@example.com")
        in_dojo = [companies[0], companies[7], companies[9]] + [companies[i] for i in DOJO_SHOPS]
        made = seed_programs(
            municipality=ota,
            companies=in_dojo[:10],
            officer=officer,
            instructor=instructor,
            leader_instructor=instructor,
        )
        homework = seed_homework(
            applications=made["dojo_applications"], instructor=instructor, officer=officer
        )
        seed_advisory(
            municipality=ota,
            companies=[companies[i] for i in (2, 0, 3, 5, 15)],
            officer=officer,
            advisor_users=[
                User.objects.get(email="advisor@example.com"),
                User.objects.get(email="advisor2@example.com"),
            ],
        )
        # The DX subsidy: owner@'s shop first (its paid grant owes a 事業化状況報告), then
        # the dojo's graduates (their bonus is verified from the records) and the other
        # shops of the ward that have an owner on the platform.
        with_owner = set(
            Membership.objects.filter(role=CompanyRole.OWNER).values_list("company", flat=True)
        )
        applicants = [
            company
            for company in companies
            if company.ward_id == ota.pk and company.pk in with_owner
        ]
        seed_subsidies(
            municipality=ota,
            officer=officer,
            reviewers=[
                User.objects.get(email="reviewer@example.com"),
                User.objects.get(email="reviewer2@example.com"),
            ],
            companies=applicants,
            graduates=[graduation.company for graduation in homework["graduations"]],
        )
        # The 町工場DXラボ: its catalogue (two vendors' exhibits), a training, bookings, a
        # past 交流会 and its matchings, the consortium (a PBL project, a partner bank).
        seed_lab(
            municipality=ota,
            officer=officer,
            staff=User.objects.get(email="lab@example.com"),
            companies=companies,
        )
