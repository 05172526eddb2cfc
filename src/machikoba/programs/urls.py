"""The pages of the programmes: the participant's side (cohorts, applications, check-in),
homework and graduation, and the office's views; each group in its own module."""

from machikoba.programs import urls_cohorts, urls_homework, urls_office

app_name = "programs"

urlpatterns = [
    *urls_cohorts.urlpatterns,
    *urls_homework.urlpatterns,
    *urls_office.urlpatterns,
]
