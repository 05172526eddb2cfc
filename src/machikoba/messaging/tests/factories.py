"""Threads for tests, opened through the service as the network and board apps will."""

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from machikoba.drawings.tests.factories import png_bytes
from machikoba.messaging import internal, services

_keys = itertools.count(1)


def make_thread(*companies, title="段付きシャフト TK-2041", key=None, subject_path=""):
    return internal.thread_open(
        key=key or f"test:{next(_keys)}",
        title=title,
        companies=list(companies),
        subject_path=subject_path,
    )


def post(user, company, thread, body="材料は支給します。", uploads=()):
    return services.message_post(
        actor=user, company=company, thread=thread, body=body, uploads=list(uploads)
    )


def png_upload(name="shaft.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")
