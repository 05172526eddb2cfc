from ninja import Router, Schema

from machikoba.companies.models import Company
from machikoba.core.access import VIEW, get_for_user_or_404

router = Router(tags=["companies"])


class CompanyOut(Schema):
    id: int
    name: str
    name_kana: str
    name_en: str
    corporate_number: str | None
    address: str
    employees: int | None


@router.get("/{company_id}", response=CompanyOut, summary="One company's public profile")
def company_detail(request, company_id: int):
    return get_for_user_or_404(Company, request.user, VIEW, pk=company_id, is_active=True)
