"""Error pages in the user's language, inside the normal page frame where possible."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _

PAGES = {
    400: (
        _("リクエストを処理できませんでした"),
        _("入力内容に問題があります。前の画面に戻ってやり直してください。"),
    ),
    403: (
        _("このページを表示する権限がありません"),
        _(
            "必要な役割でログインしているか確認してください。"
            "心当たりがない場合は管理者にお問い合わせください。"
        ),
    ),
    404: (
        _("ページが見つかりません"),
        _("URL が間違っているか、このページを見る権限がない可能性があります。"),
    ),
}


def _page(request, status: int):
    title, explanation = PAGES[status]
    return render(
        request,
        "web/errors/page.html",
        {"status": status, "title": title, "explanation": explanation},
        status=status,
    )


def bad_request(request, exception=None):
    return _page(request, 400)


def permission_denied(request, exception=None):
    return _page(request, 403)


def page_not_found(request, exception=None):
    return _page(request, 404)


def server_error(request):
    # No context processors that touch the database: the failure may be the database.
    return HttpResponseServerError(loader.get_template("web/errors/500.html").render())
