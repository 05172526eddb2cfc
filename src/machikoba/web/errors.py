"""Error pages in the user's language, inside the normal page frame where possible."""

from django.shortcuts import render


def bad_request(request, exception=None):
    return render(request, "web/errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "web/errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "web/errors/404.html", status=404)


def server_error(request):
    # No context processors that touch the database: the failure may be the database.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("web/errors/500.html").render())
