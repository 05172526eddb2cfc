"""Pages of 伴走型アドバイザー派遣: the advisor's and the company's side under
``advisory/``, the office's under ``office/advisory/``."""

from django.urls import path

from machikoba.advisory.views import advisor, company, engagement, office

app_name = "advisory"

urlpatterns = [
    # the advisor
    path("advisory/", advisor.home, name="home"),
    # the company
    path("advisory/company/", company.company_page, name="company"),
    path("advisory/company/request/", company.request_create, name="request_create"),
    path("advisory/requests/<id:pk>/withdraw/", company.request_withdraw, name="request_withdraw"),
    path("advisory/requests/<id:pk>/accept/", company.proposal_accept, name="proposal_accept"),
    path("advisory/requests/<id:pk>/refuse/", company.proposal_decline, name="proposal_decline"),
    path("advisory/visits/<id:pk>/sign-off/", company.visit_sign_off, name="visit_sign_off"),
    # the engagement, shared by its team, its company and the office
    path("advisory/engagements/<id:pk>/", engagement.engagement, name="engagement"),
    path("advisory/engagements/<id:pk>/visits/new/", engagement.visit_create, name="visit_create"),
    path("advisory/visits/<id:pk>/edit/", engagement.visit_edit, name="visit_edit"),
    path("advisory/phases/<id:pk>/", engagement.phase_detail, name="phase"),
    path("advisory/phases/<id:pk>/start/", engagement.phase_start, name="phase_start"),
    path("advisory/phases/<id:pk>/complete/", engagement.phase_complete, name="phase_complete"),
    path("advisory/phases/<id:pk>/note/", engagement.phase_note, name="phase_note"),
    path("advisory/phases/<id:pk>/evidence/", engagement.evidence_add, name="evidence_add"),
    path("advisory/evidence/<id:pk>/", engagement.evidence_download, name="evidence_download"),
    path(
        "advisory/engagements/<id:pk>/measurements/new/",
        engagement.measurement_add,
        name="measurement_add",
    ),
    path(
        "advisory/measurements/<id:pk>/after/",
        engagement.measurement_after,
        name="measurement_after",
    ),
    path("advisory/engagements/<id:pk>/close/", engagement.engagement_close, name="close"),
    path(
        "advisory/engagements/<id:pk>/report.pdf",
        engagement.closing_report,
        name="closing_report",
    ),
    # the office
    path("office/advisory/", office.overview, name="office"),
    path("office/advisory/advisors/", office.roster, name="roster"),
    path("office/advisory/advisors/new/", office.advisor_create, name="advisor_create"),
    path("office/advisory/advisors/<id:pk>/edit/", office.advisor_edit, name="advisor_edit"),
    path("office/advisory/propose/", office.propose, name="propose"),
    path(
        "office/advisory/requests/<id:pk>/decline/",
        office.request_decline,
        name="request_decline",
    ),
    path("office/advisory/requests/<id:pk>/assign/", office.assign, name="assign"),
    path("office/advisory/engagements/<id:pk>/dates/", office.engagement_dates, name="dates"),
    path("office/advisory/engagements/<id:pk>/cancel/", office.engagement_cancel, name="cancel"),
    path("office/advisory/hours/", office.hours, name="hours"),
    path(
        "office/advisory/export/<slug:report>.<slug:file_format>",
        office.export,
        name="export",
    ),
]
