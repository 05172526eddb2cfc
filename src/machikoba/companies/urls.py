from django.urls import path

from machikoba.companies import (
    views,
    views_claims,
    views_io,
    views_join,
    views_people,
    views_wards,
)

app_name = "companies"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("companies/<id:pk>/", views.company_detail, name="detail"),
    path("companies/<id:pk>/edit/", views.company_edit, name="edit"),
    path("companies/<id:pk>/dx-stage/", views.dx_stage, name="dx_stage"),
    path("companies/<id:pk>/photos/add/", views.photo_add, name="photo_add"),
    path("companies/<id:pk>/photos/<id:photo_pk>.jpg", views.photo_file, name="photo_file"),
    path("companies/<id:pk>/<slug:kind>/add/", views.part_edit, name="part_add"),
    path("companies/<id:pk>/<slug:kind>/<id:part_pk>/edit/", views.part_edit, name="part_edit"),
    path(
        "companies/<id:pk>/<slug:kind>/<id:part_pk>/delete/",
        views.part_delete,
        name="part_delete",
    ),
    path("postal-code/", views.postal_code_lookup, name="postal_code_lookup"),
    path("ward/companies/import/", views_io.import_upload, name="import_upload"),
    path("ward/companies/import/<id:job_pk>/", views_io.import_detail, name="import_detail"),
    path(
        "ward/companies/import/<id:job_pk>/progress/",
        views_io.import_progress,
        name="import_progress",
    ),
    path(
        "ward/companies/export.<str:file_format>",
        views_io.directory_export,
        name="directory_export",
    ),
]

# A company's first account (docs/guest-links.md).
urlpatterns += [
    path("claim/<str:token>/", views_claims.claim_account, name="claim_account"),
    path("ward/companies/", views_wards.ward_companies, name="ward_companies"),
    path("ward/companies/<id:pk>/", views_wards.company_ward, name="company_ward"),
    path("join/", views_join.join, name="join"),
    path("join/new/", views_join.join_new, name="join_new"),
    path("join/companies/<id:pk>/", views_join.join_claim_start, name="join_claim_start"),
    path("join/claims/<id:pk>/", views_join.join_claim, name="join_claim"),
    path("ward/claims/<id:pk>/letter.pdf", views_join.claim_letter, name="claim_letter"),
    path("ward/claims/<id:pk>/evidence/", views_join.claim_evidence, name="claim_evidence"),
    path("ward/claims/", views_claims.claim_queue, name="claim_queue"),
    path("ward/claims/<id:pk>/approve/", views_claims.claim_approve, name="claim_approve"),
    path("ward/claims/<id:pk>/reject/", views_claims.claim_reject, name="claim_reject"),
    path(
        "ward/companies/<id:pk>/contact-email/",
        views_claims.contact_email,
        name="contact_email",
    ),
]

# The people of a company: owners invite, change roles, remove, hand over ownership; the
# page an invite link opens.
urlpatterns += [
    path("companies/<id:pk>/people/", views_people.people, name="people"),
    path("companies/<id:pk>/people/invite/", views_people.invite, name="people_invite"),
    path(
        "companies/<id:pk>/people/invite/<id:invitation_pk>/revoke/",
        views_people.invite_revoke,
        name="people_invite_revoke",
    ),
    path(
        "companies/<id:pk>/people/<id:membership_pk>/role/",
        views_people.role,
        name="people_role",
    ),
    path(
        "companies/<id:pk>/people/<id:membership_pk>/remove/",
        views_people.remove,
        name="people_remove",
    ),
    path("companies/<id:pk>/people/transfer/", views_people.transfer, name="people_transfer"),
    path("invite/<str:token>/", views_people.invite_accept, name="invite_accept"),
]
