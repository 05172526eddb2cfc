"""Machine-readable refusal codes of the lab app (the ``code`` of an ApplicationError).

The API returns them as ``{"code": ...}``; docs/error-codes.md lists them (regenerate with
``python manage.py error_codes``). Each topic keeps its codes in its own module.
"""

from machikoba.lab.error_codes_bookings import BookingErrorCode  # noqa: F401
from machikoba.lab.error_codes_catalogue import CatalogueErrorCode  # noqa: F401
from machikoba.lab.error_codes_ecosystem import EcosystemErrorCode  # noqa: F401
from machikoba.lab.error_codes_events import EventErrorCode  # noqa: F401
from machikoba.lab.error_codes_setup import LabSetupErrorCode  # noqa: F401
from machikoba.lab.error_codes_vendors import VendorErrorCode  # noqa: F401
from machikoba.lab.error_codes_visits import VisitErrorCode  # noqa: F401
