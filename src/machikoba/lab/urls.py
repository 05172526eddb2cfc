"""The pages of the DX Lab and the consortium, each group in its own module: the catalogue
and trainings, bookings (with demo slots, consultations and trials), the entry log and
kiosk, events, the consortium and matchings, and the statistics."""

from machikoba.lab import (
    urls_bookings,
    urls_catalogue,
    urls_ecosystem,
    urls_events,
    urls_hub,
    urls_stats,
    urls_vendors,
    urls_visits,
)

app_name = "lab"

urlpatterns = [
    *urls_hub.urlpatterns,
    *urls_catalogue.urlpatterns,
    *urls_bookings.urlpatterns,
    *urls_visits.urlpatterns,
    *urls_events.urlpatterns,
    *urls_ecosystem.urlpatterns,
    *urls_stats.urlpatterns,
    *urls_vendors.urlpatterns,
]
