from ninja import Router, Schema

from machikoba.accounts.rules import ward_roles_of
from machikoba.companies.selectors import memberships_of

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    company_id: int
    company_name: str
    role: str


class MeOut(Schema):
    email: str
    name: str
    ward_roles: list[str]
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The signed-in user, their companies and roles")
def me(request):
    user = request.user
    return MeOut(
        email=user.email,
        name=user.name,
        ward_roles=sorted(ward_roles_of(user)),
        memberships=[
            MembershipOut(company_id=m.company_id, company_name=m.company.name, role=m.role)
            for m in memberships_of(user)
        ],
    )
