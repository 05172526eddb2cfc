"""The production storage path: drawings on an S3-compatible server (moto in server mode,
a real HTTP server in its own process), through upload, previews, viewing, download and
the retention purge."""

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from machikoba.core.errors import ApplicationError
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.core.testing.processes import free_port, start_s3_server
from machikoba.drawings import services
from machikoba.drawings.models import Document, PreviewPage, Revision
from machikoba.drawings.tasks import build_previews
from machikoba.drawings.tests.factories import share
from machikoba.drawings.tests.samples import pdf_bytes

BUCKET = "machikoba-drawings"
REGION = "ap-northeast-1"


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = start_s3_server(port)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.MEDIA_ROOT = tmp_path  # must stay empty: nothing may land on local disk
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": REGION,
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    if keys:
        client.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in keys]})
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _upload(world, name, content, **extra):
    return services.document_create(
        actor=world.users[MEMBER],
        company=world.company,
        title="フランジ",
        kind="drawing",
        upload=SimpleUploadedFile(name, content),
        **extra,
    )


def test_a_drawing_lives_its_whole_life_in_object_storage(world, bucket, tmp_path):
    original = pdf_bytes(pages=2)
    document = _upload(world, "flange.pdf", original)
    revision = document.revisions.get()
    assert _keys(bucket) == [revision.file.name]
    assert bucket.get_object(Bucket=BUCKET, Key=revision.file.name)["Body"].read() == original

    assert build_previews.call(revision.pk) == "ready"
    pages = list(PreviewPage.objects.filter(revision=revision))
    assert len(pages) == 2
    assert len(_keys(bucket)) == 1 + 2 * 2

    share(document, world.other_company, can_download=True)
    partner = world.client_for(OTHER_COMPANY)
    image = partner.get(
        reverse("drawings:page_image", kwargs={"pk": document.pk, "number": 1, "page": 1})
    )
    assert image.status_code == 200
    assert image.content.startswith(b"\x89PNG")
    copy = partner.get(reverse("drawings:download", kwargs={"pk": document.pk, "number": 1}))
    assert copy.status_code == 200
    assert copy.content.startswith(b"%PDF")
    assert copy.content != original

    owner = world.client_for(MEMBER).get(
        reverse("drawings:download", kwargs={"pk": document.pk, "number": 1})
    )
    assert b"".join(owner.streaming_content) == original

    services.document_destroy(actor=world.users[MEMBER], document=document, reason="取引終了")
    assert _keys(bucket) == []
    assert list(tmp_path.rglob("*.*")) == []


def test_a_refused_upload_leaves_no_object(world, bucket):
    with pytest.raises(ApplicationError):
        _upload(world, "fake.pdf", b"%PDF-1.4 this is not a pdf")
    assert _keys(bucket) == []
    assert Document.objects.count() == 0


def test_a_revision_refused_by_validation_writes_no_object(world, bucket):
    # The file itself is fine; the revision row is not (its note is too long): refused
    # before anything reaches the bucket, and the document goes with it (one transaction).
    with pytest.raises(ApplicationError):
        _upload(world, "flange.pdf", pdf_bytes(pages=1), change_note="長" * 501)
    assert _keys(bucket) == []
    assert Document.objects.count() == 0
    assert Revision.objects.count() == 0


def test_a_failure_after_the_object_was_written_removes_it(world, bucket, monkeypatch):
    # The object is stored, then writing the upload's log line fails.
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "document_event_record", broken)
    with pytest.raises(RuntimeError):
        _upload(world, "flange.pdf", pdf_bytes(pages=1))
    assert _keys(bucket) == []
    assert Document.objects.count() == 0
