"""The machine pages of a company: its monitored machines, registering one (choose how its
data is taken, then fill in plain fields), a machine's page (its state, whether its data
arrives, how to connect its sensor), editing it, stopping and resuming its monitoring, and
giving it a new key. Members read; owners and staff change (``telemetry.access``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from machikoba.accounts.models import User
from machikoba.core.errors import ApplicationError
from machikoba.core.views import active_company_or_403, run_and_flash, save_form
from machikoba.telemetry import selectors, services
from machikoba.telemetry.choices import Source
from machikoba.telemetry.forms import MachineForm

SOURCE_HELP = {
    Source.MQTT: (
        gettext_lazy("後付けのセンサー (信号灯・電流)"),
        gettext_lazy(
            "ネットにつながらない機械でも使えます。信号灯や電源に小さなセンサーをつけ、"
            "MQTT で送ります。町工場ではいちばん多い方法です。"
        ),
    ),
    Source.MTCONNECT: (
        gettext_lazy("MTConnect"),
        gettext_lazy(
            "MTConnect に対応した新しめの NC 工作機械です。"
            "機械またはパソコンで動くエージェントから読み取ります。"
        ),
    ),
    Source.OPCUA: (
        gettext_lazy("OPC UA"),
        gettext_lazy("OPC UA サーバーを持つ機械や PLC です。状態を表すノードの値を読み取ります。"),
    ),
}


class SignedInRequest(HttpRequest):
    user: User


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _source(request: HttpRequest) -> str | None:
    source = request.GET.get("source", "")
    return source if source in Source.values else None


def _sources() -> list[dict[str, str]]:
    return [
        {"value": source.value, "title": str(title), "text": str(text)}
        for source, (title, text) in SOURCE_HELP.items()
    ]


def _detail_url(machine: Any) -> str:
    return reverse("telemetry:machine_detail", args=[machine.pk])


@login_required
@require_GET
def machines(request: SignedInRequest) -> HttpResponse:
    company = active_company_or_403(request)
    page = selectors.machines_page(request.user, company)
    return render(request, "telemetry/machines.html", {"page": page, "company": company})


@login_required
@require_http_methods(["GET", "POST"])
def machine_register(request: SignedInRequest) -> HttpResponse:
    """First how the machine's data is taken (three choices), then that source's form."""
    company = active_company_or_403(request)
    if not selectors.may_change_machines(request.user, company):
        raise PermissionDenied
    equipment = selectors.equipment_choices(request.user, company)
    source = _source(request)
    if source is None or not equipment.exists():
        if request.method == "POST" and source is None:
            messages.error(request, _("データの取り方を選んでください。"))
        return render(
            request,
            "telemetry/machine_source.html",
            {"company": company, "sources": _sources(), "has_equipment": equipment.exists()},
        )
    form = MachineForm(_posted(request), source=source, equipment=equipment)
    done = save_form(
        request,
        form,
        lambda data: services.machine_register(
            actor=request.user, company=company, **form.service_fields()
        ),
        success_message=_(
            "設備を登録しました。下の「接続のしかた」のとおりにセンサーを設定してください。"
        ),
        next_url=_detail_url,
    )
    return done or render(
        request,
        "telemetry/machine_form.html",
        {
            "form": form,
            "company": company,
            "source": source,
            "source_title": SOURCE_HELP[Source(source)][0],
            "machine": None,
        },
    )


@login_required
@require_GET
def machine_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    page = selectors.machine_detail(request.user, pk)
    template = "telemetry/machine_detail.html"
    if request.headers.get("HX-Request") and request.GET.get("part") == "health":
        template = "telemetry/partials/health.html"
    return render(request, template, {"page": page, "machine": page.machine})


@login_required
@require_http_methods(["GET", "POST"])
def machine_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    machine = selectors.machine_for_change(request.user, pk)
    source = _source(request) or machine.source
    equipment = selectors.equipment_choices(request.user, machine.company)
    form = MachineForm(_posted(request), source=source, equipment=equipment, machine=machine)
    done = save_form(
        request,
        form,
        lambda data: services.machine_update(
            actor=request.user, machine=machine, **form.service_fields()
        ),
        success_message=_("設備の設定を保存しました。"),
        next_url=_detail_url(machine),
    )
    return done or render(
        request,
        "telemetry/machine_form.html",
        {
            "form": form,
            "company": machine.company,
            "source": source,
            "source_title": SOURCE_HELP[Source(source)][0],
            "machine": machine,
            "sources": _sources(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def machine_deactivate(request: SignedInRequest, pk: int) -> HttpResponse:
    """A page that says what stopping means, and its button."""
    machine = selectors.machine_for_change(request.user, pk)
    if request.method == "POST":
        run_and_flash(
            request,
            lambda: services.machine_deactivate(actor=request.user, machine=machine),
            _("「%(name)s」の監視を止めました。") % {"name": machine.name},
        )
        return redirect(_detail_url(machine))
    return render(request, "telemetry/machine_deactivate.html", {"machine": machine})


@login_required
@require_POST
def machine_activate(request: SignedInRequest, pk: int) -> HttpResponse:
    machine = selectors.machine_for_change(request.user, pk)
    run_and_flash(
        request,
        lambda: services.machine_activate(actor=request.user, machine=machine),
        _("「%(name)s」の監視を再開しました。") % {"name": machine.name},
    )
    return redirect(_detail_url(machine))


@login_required
@require_http_methods(["GET", "POST"])
def machine_key_rotate(request: SignedInRequest, pk: int) -> HttpResponse:
    """A page that says what a new key means (the sensor must be set again), and its
    button."""
    machine = selectors.machine_for_change(request.user, pk)
    if request.method == "POST":
        try:
            services.machine_key_rotate(actor=request.user, machine=machine)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _(
                    "新しい装置キーを作りました。"
                    "センサーの送信先 (トピック) を、下の新しいものに変えてください。"
                ),
            )
        return redirect(_detail_url(machine) + "#connect")
    return render(request, "telemetry/machine_key_rotate.html", {"machine": machine})
