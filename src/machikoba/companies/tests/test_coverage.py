"""The directory's coverage index (companies.coverage): kept with the capabilities, and
every directory filter combination answering exactly what the capabilities say."""

import importlib
import itertools
import random
from decimal import Decimal

import pytest
from django.apps import apps

from machikoba.companies.admin import ProcessCategoryAdmin
from machikoba.companies.coverage import ancestor_codes, coverage_rebuild
from machikoba.companies.directory import DirectoryQuery, directory_search
from machikoba.companies.models import (
    Capability,
    Material,
    MaterialCoverage,
    ProcessCategory,
    ProcessCoverage,
)
from machikoba.companies.services import profile_part_delete
from machikoba.core.testing.factories import CompanyFactory, make_capability

pytestmark = pytest.mark.django_db

NC = "cutting.turning.nc_lathe"
MANUAL = "cutting.turning.manual_lathe"
PLATING = "surface.plating.hard_chrome"


def _process(code):
    return ProcessCategory.objects.get(code=code)


def _materials(*codes):
    return list(Material.objects.filter(code__in=codes))


def _rows(company):
    processes = {
        row.process.code: (row.best_tolerance_mm, row.max_envelope_mm)
        for row in ProcessCoverage.objects.filter(company=company).select_related("process")
    }
    materials = {
        row.material.code: (row.best_tolerance_mm, row.max_envelope_mm)
        for row in MaterialCoverage.objects.filter(company=company).select_related("material")
    }
    return processes, materials


def test_ancestors_are_the_dotted_prefixes():
    assert ancestor_codes(NC) == ["cutting", "cutting.turning", NC]
    assert ancestor_codes("cutting") == ["cutting"]


def test_a_company_covers_its_processes_their_ancestors_and_its_materials():
    company = CompanyFactory()
    make_capability(
        company,
        _process(NC),
        max_length_mm=300,
        best_tolerance_mm=Decimal("0.01"),
        materials=_materials("SUS304", "S45C"),
    )
    manual = make_capability(
        company,
        _process(MANUAL),
        max_length_mm=800,
        best_tolerance_mm=Decimal("0.05"),
        materials=_materials("S45C"),
    )
    make_capability(company, _process(PLATING))  # no size, no tolerance, no material
    processes, materials = _rows(company)
    assert processes == {
        "cutting": (Decimal("0.01"), 800),
        "cutting.turning": (Decimal("0.01"), 800),
        NC: (Decimal("0.01"), 300),
        MANUAL: (Decimal("0.05"), 800),
        "surface": (None, None),
        "surface.plating": (None, None),
        PLATING: (None, None),
    }
    assert materials == {"SUS304": (Decimal("0.01"), 300), "S45C": (Decimal("0.01"), 800)}

    # Deleting a capability through the service takes its coverage with it.
    profile_part_delete(actor=None, part=manual)
    processes, materials = _rows(company)
    assert MANUAL not in processes
    assert processes["cutting"] == (Decimal("0.01"), 300)
    assert materials == {"SUS304": (Decimal("0.01"), 300), "S45C": (Decimal("0.01"), 300)}


def _brute_force(companies, query: DirectoryQuery) -> set[int]:
    """The companies with one capability meeting every capability filter, read from the
    capabilities themselves."""
    found = set()
    for company in companies:
        for capability in company.capabilities.all():
            code = capability.process.code
            materials = {m.code for m in capability.materials.all()}
            if query.process and not (
                code == query.process or code.startswith(query.process + ".")
            ):
                continue
            if query.material and query.material not in materials:
                continue
            if query.min_envelope_mm and (capability.envelope_mm or 0) < query.min_envelope_mm:
                continue
            if query.max_tolerance_mm is not None and (
                capability.best_tolerance_mm is None
                or capability.best_tolerance_mm > query.max_tolerance_mm
            ):
                continue
            found.add(company.pk)
            break
    return found


def test_every_filter_combination_finds_exactly_the_capable_companies():
    """Random shops, and every combination of process (broad to leaf), material,
    envelope and tolerance: the directory answers what the capabilities say. Where the
    filters must meet on one capability (a process and a material, an envelope and a
    tolerance), a company whose best values come from different capabilities is not
    found."""
    rng = random.Random(24)
    leaves = [NC, MANUAL, "cutting.milling.manual_mill", PLATING, "grinding.cylindrical"]
    materials = _materials("SUS304", "S45C", "A5052")
    companies = []
    for n in range(14):
        company = CompanyFactory(name=f"網羅{n}")
        for code in rng.sample(leaves, rng.randint(1, 3)):
            make_capability(
                company,
                _process(code),
                max_length_mm=rng.choice([None, 200, 600, 1200]),
                best_tolerance_mm=rng.choice([None, Decimal("0.005"), Decimal("0.02")]),
                materials=rng.sample(materials, rng.randint(0, 2)),
            )
        companies.append(company)
    # One shop whose precise work and large work are different capabilities.
    split = CompanyFactory(name="網羅・分かれ")
    make_capability(
        split,
        _process(NC),
        max_length_mm=200,
        best_tolerance_mm=Decimal("0.005"),
        materials=_materials("S45C"),
    )
    make_capability(
        split,
        _process(MANUAL),
        max_length_mm=1200,
        best_tolerance_mm=Decimal("0.02"),
        materials=_materials("SUS304"),
    )
    companies.append(split)

    combinations = itertools.product(
        ["", "cutting", "cutting.turning", NC, "surface", "no.such.process"],
        ["", "SUS304", "S45C", "NOSUCH"],
        [None, 500],
        [None, Decimal("0.01")],
    )
    checked = 0
    for process, material, envelope, tolerance in combinations:
        query = DirectoryQuery(
            process=process,
            material=material,
            min_envelope_mm=envelope,
            max_tolerance_mm=tolerance,
        )
        if not query.has_capability_filter():
            continue
        found = set(directory_search(user=None, query=query).values_list("pk", flat=True))
        assert found == _brute_force(companies, query), query
        checked += 1
    assert checked == 6 * 4 * 2 * 2 - 1
    # The split shop: turning to ±0.01 and turning over 500 mm, but not both at once.
    both = DirectoryQuery(
        process="cutting.turning", min_envelope_mm=500, max_tolerance_mm=Decimal("0.01")
    )
    assert split.pk not in set(directory_search(user=None, query=both).values_list("pk", flat=True))
    precise = DirectoryQuery(process="cutting.turning", max_tolerance_mm=Decimal("0.01"))
    assert split.pk in set(directory_search(user=None, query=precise).values_list("pk", flat=True))
    # S45C in turning, SUS304 in turning, but S45C only to ±0.005 on the small lathe.
    large_s45c = DirectoryQuery(process="cutting.turning", material="S45C", min_envelope_mm=500)
    assert split.pk not in set(
        directory_search(user=None, query=large_s45c).values_list("pk", flat=True)
    )


def _table(model):
    return sorted(
        model.objects.values_list(
            "company_id",
            "process_id" if model is ProcessCoverage else "material_id",
            "best_tolerance_mm",
            "max_envelope_mm",
        )
    )


def test_the_migration_fills_what_the_services_keep():
    for n in range(4):
        company = CompanyFactory()
        make_capability(
            company,
            _process([NC, MANUAL, PLATING, NC][n]),
            max_length_mm=100 * (n + 1),
            best_tolerance_mm=Decimal("0.01") * (n + 1),
            materials=_materials("SUS304", "S45C")[: n % 3],
        )
    kept = _table(ProcessCoverage), _table(MaterialCoverage)
    assert kept[0]
    assert kept[1]
    ProcessCoverage.objects.all().delete()
    MaterialCoverage.objects.all().delete()
    importlib.import_module("machikoba.companies.migrations.0021_fill_coverage").fill(apps, None)
    assert (_table(ProcessCoverage), _table(MaterialCoverage)) == kept
    # And the bulk rebuild of the bench and the admin, from nothing.
    ProcessCoverage.objects.all().delete()
    MaterialCoverage.objects.all().delete()
    assert coverage_rebuild() == len(kept[0]) + len(kept[1])
    assert (_table(ProcessCoverage), _table(MaterialCoverage)) == kept


def test_a_process_moved_in_the_taxonomy_moves_its_companies_coverage(admin_user, rf):
    from django.contrib.admin.sites import site

    company = CompanyFactory()
    make_capability(company, _process(NC))
    category = _process(NC)
    model_admin = ProcessCategoryAdmin(ProcessCategory, site)
    request = rf.post("/")
    request.user = admin_user
    form_class = model_admin.get_form(request, category, change=True)
    data = {
        field: getattr(category, field)
        for field in form_class.base_fields
        if field not in ("parent", "keywords")
    }
    data |= {"parent": category.parent_id, "keywords": "[]", "code": "cutting.nc_lathe"}
    form = form_class(data, instance=category)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    processes, _ = _rows(company)
    assert set(processes) == {"cutting", "cutting.nc_lathe"}
    assert not Capability.objects.filter(company=company, process__code=NC).exists()
