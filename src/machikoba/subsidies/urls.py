"""The pages of the DX subsidy: the applicant's side (calls, the wizard, their
applications), the reviewer's, what follows the selection, and the office's; each group in
its own module."""

from machikoba.subsidies import urls_after, urls_apply, urls_office, urls_review

app_name = "subsidies"

urlpatterns = [
    *urls_apply.urlpatterns,
    *urls_review.urlpatterns,
    *urls_after.urlpatterns,
    *urls_office.urlpatterns,
]
