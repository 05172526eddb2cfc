"""The company a signed-in person works for now (kept in the session, switched in the
page header): ``request.active_membership`` and ``request.active_company``."""

from django.utils.functional import SimpleLazyObject

from machikoba.companies.selectors import memberships_of

ACTIVE_COMPANY_SESSION_KEY = "machikoba.active_company_id"


def _active_membership(request):
    memberships = memberships_of(request.user)
    request.memberships = memberships
    wanted = request.session.get(ACTIVE_COMPANY_SESSION_KEY)
    for membership in memberships:
        if membership.company_id == wanted:
            return membership
    return memberships[0] if memberships else None


class ActiveCompanyMiddleware:
    """``request.active_membership`` / ``request.active_company``: the company the
    user is working for now, chosen in the header and kept in the session.

    Only a company the user is a member of can be active; a stale or foreign id in
    the session falls back to the user's first company.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = SimpleLazyObject(lambda: _active_membership(request))
        request.active_membership = membership
        request.active_company = SimpleLazyObject(
            lambda: membership.company if membership else None
        )
        return self.get_response(request)
