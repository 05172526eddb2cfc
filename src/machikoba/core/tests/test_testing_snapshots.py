"""The test snapshots (core/testing/snapshots.py): built once, then put back exactly, rows
and files, whatever the test in between did."""

import pytest

from machikoba.companies.models import Company
from machikoba.core.testing import snapshots
from machikoba.core.testing.factories import CompanyFactory


@pytest.mark.django_db
def test_a_snapshot_puts_back_the_rows_and_files_it_was_built_with(tmp_path):
    built = []

    def build():
        built.append(1)
        CompanyFactory(name="スナップ精機")
        (tmp_path / "first" / "drawings").mkdir(parents=True)
        (tmp_path / "first" / "drawings" / "a.pdf").write_bytes(b"%PDF-1.4 snapshot")

    first = tmp_path / "first"
    assert snapshots.restore_or_build("test-snapshot", build, media_root=first) is False
    names = sorted(Company.objects.values_list("name", flat=True))
    assert "スナップ精機" in names

    # A test in between changes everything.
    Company.objects.filter(name="スナップ精機").delete()
    CompanyFactory(name="別の会社")

    second = tmp_path / "second"
    assert snapshots.restore_or_build("test-snapshot", build, media_root=second) is True
    assert built == [1]  # not built again
    assert sorted(Company.objects.values_list("name", flat=True)) == names
    assert (second / "drawings" / "a.pdf").read_bytes() == b"%PDF-1.4 snapshot"
    # The content types are the snapshot's, and Django's cache of them was emptied.
    from django.contrib.contenttypes.models import ContentType

    assert ContentType.objects.get_for_model(Company).model_class() is Company
