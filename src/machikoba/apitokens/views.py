"""The API tokens page: issue a token (its secret shown once), see when each was last
used, revoke one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from machikoba.apitokens import selectors, services
from machikoba.apitokens.areas import AREAS
from machikoba.apitokens.forms import TokenForm
from machikoba.core.errors import ApplicationError
from machikoba.core.views import run_and_flash


@login_required
def tokens(request):
    owners = selectors.token_owners(request.user)
    form = TokenForm(request.POST or None, owners=owners)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = services.token_create(
                actor=request.user,
                name=data["name"],
                scopes=data["scopes"],
                lifetime_days=data["lifetime_days"],
                company=data["company"],
                ward_role=data["ward_role"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            # The secret is shown on this answer only: not in a redirect, not in a message.
            issued = {"token": token, "secret": secret}
            form = TokenForm(owners=owners)
    response = render(
        request,
        "apitokens/tokens.html",
        {
            "form": form,
            "owners": owners,
            "tokens": selectors.tokens_of(request.user),
            "issued": issued,
            "areas": AREAS,
        },
        status=422 if request.method == "POST" and form.errors else 200,
    )
    if issued:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    run_and_flash(
        request,
        lambda: services.token_revoke(actor=request.user, token_id=pk),
        _("トークンを失効させました。このトークンはもう使えません。"),
    )
    return redirect("apitokens:tokens")
