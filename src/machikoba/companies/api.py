"""Directory and profile API: the same search and the same access rules as the pages."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from machikoba.companies import selectors
from machikoba.companies.directory import SORTS, DirectoryQuery, directory_page, origin_of
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.models import Company
from machikoba.core.access import VIEW, get_for_user_or_404, ward_roles_of
from machikoba.core.api_fields import ToleranceDecimal
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import PathId

router = Router(tags=["companies"])
# Mounted at /accounts: who is signed in, with their companies (memberships are ours).
account_router = Router(tags=["accounts"])

PAGE_SIZE = 50


class CapabilityOut(Schema):
    process: str = Field(description="process code, e.g. cutting.turning.nc_lathe")
    process_name: str
    materials: list[str]
    envelope_mm: int | None
    max_weight_kg: Decimal | None
    best_tolerance_mm: Decimal | None
    best_roughness_ra: Decimal | None
    lot_min: int | None
    lot_max: int | None
    lead_time_days: int | None


class CertificationOut(Schema):
    code: str
    name: str
    valid_until: str | None


class CompanySummaryOut(Schema):
    id: int
    name: str
    name_kana: str
    name_en: str
    municipality: str
    employees: int | None
    distance_km: float | None = None
    processes: list[str]
    certifications: list[str]


class CompanyOut(Schema):
    id: int
    name: str
    name_kana: str
    name_en: str
    corporate_number: str | None
    invoice_number: str
    postal_code: str
    prefecture: str
    municipality: str
    address_line: str
    latitude: Decimal | None
    longitude: Decimal | None
    employees: int | None
    founded_year: int | None
    successor_status: str
    website: str
    pr_text: str
    capabilities: list[CapabilityOut]
    certifications: list[CertificationOut]


class DirectoryPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[CompanySummaryOut]


class DirectoryFilters(Schema):
    q: str = Field("", max_length=100, description="free text (Japanese works)")
    process: str = Field("", description="process code; its subtree matches")
    material: str = Field("", description="material code, e.g. SUS304")
    envelope: int | None = Field(None, ge=1, le=100_000, description="minimum size in mm")
    tolerance: ToleranceDecimal | None = Field(None, description="at least this precise (± mm)")
    certification: str = ""
    municipality: str = Field("", description="市区町村 as in the address, e.g. 大田区")
    ward: str = Field(
        "", description="a registered municipality's 6-digit code, or 'outside' for none"
    )
    within_km: float | None = Field(None, gt=0, le=500, description="from the active company")
    sort: str = Field("relevance", description="relevance, distance, name or employees")
    page: int = Field(1, ge=1)


def _summary(company: Company) -> CompanySummaryOut:
    return CompanySummaryOut(
        id=company.pk,
        name=company.name,
        name_kana=company.name_kana,
        name_en=company.name_en,
        municipality=company.municipality,
        employees=company.employees,
        distance_km=round(company.distance_km, 2) if company.distance_km is not None else None,
        processes=[p.code for p in company.card_processes],
        certifications=[c.code for c in company.card_certifications],
    )


@router.get("/", response=DirectoryPageOut, summary="Search the directory")
def directory(request, filters: Query[DirectoryFilters]):
    if filters.sort not in SORTS:
        raise ApplicationError(
            CompaniesErrorCode.INVALID,
            _("入力内容を確認してください。"),
            fields={"sort": [_("並び順は relevance・distance・name・employees のどれかです。")]},
            status_code=422,
        )
    origin = origin_of(getattr(request, "active_company", None) or None)
    query = DirectoryQuery(
        text=filters.q,
        process=filters.process,
        material=filters.material,
        min_envelope_mm=filters.envelope,
        max_tolerance_mm=filters.tolerance,
        certification=filters.certification,
        municipality=filters.municipality,
        ward=filters.ward,
        within_km=filters.within_km,
        sort=filters.sort,
        origin=origin,
    )
    page = directory_page(
        user=request.user,
        query=query,
        number=filters.page,
        per_page=PAGE_SIZE,
    )
    return DirectoryPageOut(
        count=page.paginator.count,
        page=page.number,
        pages=page.paginator.num_pages,
        results=[_summary(c) for c in page.object_list],
    )


@router.get("/{company_id}", response=CompanyOut, summary="One company's profile")
def company_detail(request, company_id: PathId):
    company = get_for_user_or_404(Company, request.user, VIEW, pk=company_id, is_active=True)
    parts = selectors.company_profile(user=request.user, company=company)
    return CompanyOut(
        **{
            field: getattr(company, field)
            for field in CompanyOut.model_fields
            if field not in ("capabilities", "certifications", "id")
        },
        id=company.pk,
        capabilities=[
            CapabilityOut(
                process=c.process.code,
                process_name=c.process.name,
                materials=[m.code for m in c.materials.all()],
                envelope_mm=c.envelope_mm,
                max_weight_kg=c.max_weight_kg,
                best_tolerance_mm=c.best_tolerance_mm,
                best_roughness_ra=c.best_roughness_ra,
                lot_min=c.lot_min,
                lot_max=c.lot_max,
                lead_time_days=c.lead_time_days,
            )
            for c in parts["capabilities"]
        ],
        certifications=[
            CertificationOut(
                code=c.kind.code,
                name=c.kind.name,
                valid_until=c.valid_until.isoformat() if c.valid_until else None,
            )
            for c in parts["certifications"]
        ],
    )


class MembershipOut(Schema):
    company_id: int
    company_name: str
    role: str


class MeOut(Schema):
    email: str
    name: str
    ward_roles: list[str]
    memberships: list[MembershipOut]


@account_router.get("/me", response=MeOut, summary="The signed-in user, their companies and roles")
def me(request):
    user = request.user
    return MeOut(
        email=user.email,
        name=user.name,
        ward_roles=sorted(ward_roles_of(user)),
        memberships=[
            MembershipOut(company_id=m.company_id, company_name=m.company.name, role=m.role)
            for m in selectors.memberships_of(user)
        ],
    )
