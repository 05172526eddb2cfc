"""Backups with FILE_STORAGE=s3: files are read and written through the storage API, so an
S3-compatible store (moto in server mode, a real HTTP server) backs up and restores like a
folder, into a folder or into another bucket."""

from __future__ import annotations

import hashlib
import io

import boto3
import pytest
from django.core.management import call_command

from machikoba.backups.tests.helpers import counts_in, files_in, referenced_files
from machikoba.core.testing.factories import CompanyFactory, make_photo
from machikoba.core.testing.processes import free_port, start_s3_server
from machikoba.drawings.tests.factories import make_document

pytestmark = pytest.mark.usefixtures("transactional_db")

REGION = "ap-northeast-1"


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = start_s3_server(port)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


def _use_bucket(settings, endpoint: str, bucket: str) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": REGION,
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }


def _objects(client, bucket: str) -> dict[str, str]:
    found = {}
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        found[item["Key"]] = hashlib.sha256(body).hexdigest()
    return found


def test_a_backup_from_object_storage_restores_into_a_folder_and_another_bucket(
    s3_endpoint, settings, tmp_path, fresh_database_url
):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    for bucket in ("machikoba-live", "machikoba-restored"):
        client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
    settings.MEDIA_ROOT = tmp_path / "local"  # must stay empty: everything is in the bucket
    _use_bucket(settings, s3_endpoint, "machikoba-live")
    company = CompanyFactory()
    make_document(company, pages=2)
    make_photo(company)
    live = _objects(client, "machikoba-live")
    assert set(live) == referenced_files()
    assert len(live) == 6

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())

    folder = tmp_path / "restored-folder"
    call_command(
        "restore",
        str(archive),
        database_url=fresh_database_url,
        media_root=folder,
        stdout=io.StringIO(),
    )
    assert {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in live} == live
    assert files_in(folder) == set(live)

    # The same archive into an empty bucket, configured as the storage (hence --yes).
    _use_bucket(settings, s3_endpoint, "machikoba-restored")
    out = io.StringIO()
    call_command(
        "restore",
        str(archive),
        database_url=fresh_database_url,
        yes=True,
        force=True,  # the database of the first restore
        stdout=out,
    )
    assert "Restored and verified" in out.getvalue()
    assert _objects(client, "machikoba-restored") == live
    assert not (tmp_path / "local").exists()
    assert counts_in(fresh_database_url)["drawings_previewpage"] == 2
