from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from machikoba.config.api import api
from machikoba.core.admin import audit_admin_views

# The admin has no sign-in of its own: it sends people to the platform's sign-in,
# which asks platform admins for their TOTP code.
admin.site.login = secure_admin_login(admin.site.login)
# Every admin page of company or personal data records who opened it (docs/admin-access.md).
audit_admin_views(admin.site)

urlpatterns = [
    path("", include("machikoba.web.urls")),
    path("", include("machikoba.companies.urls")),
    path("", include("machikoba.drawings.urls")),
    path("", include("machikoba.network.urls")),
    path("", include("machikoba.board.urls")),
    path("", include("machikoba.messaging.urls")),
    path("", include("machikoba.shopfloor.urls")),
    path("", include("machikoba.telemetry.urls")),
    path("", include("machikoba.programs.urls")),
    path("", include("machikoba.advisory.urls")),
    path("", include("machikoba.subsidies.urls")),
    path("", include("machikoba.lab.urls")),
    path("", include("machikoba.kpi.urls")),
    path("", include("machikoba.ops.urls")),
    path("", include("machikoba.apitokens.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

# MEDIA_ROOT is never served as a folder, not even with DEBUG: photos go through a view
# that checks access, and uploaded imports and drawings must not be reachable by URL.

handler400 = "machikoba.web.errors.bad_request"
handler403 = "machikoba.web.errors.permission_denied"
handler404 = "machikoba.web.errors.page_not_found"
handler500 = "machikoba.web.errors.server_error"
