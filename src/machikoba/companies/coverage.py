"""The directory's coverage index: what each company covers, per process (with every
ancestor: a company with NC旋盤 covers 旋削 and 切削) and per material, with the best
tolerance and the largest work envelope over the capabilities concerned
(models_coverage).

A broad filter (切削, or A5052 to ±0.005) then reads one index range of these rows
instead of the capability rows of a whole subtree, and a filter on one process or one
material (with a tolerance or an envelope) is answered from them alone. Where the
filters must hold for one and the same capability (a process *and* a material, or a
tolerance *and* an envelope), they are only a first cut in front of the exact test on
the capabilities (``coverage_conditions``).

The services rebuild a company's rows with its capabilities (``coverage_update``), in
their transaction; ``coverage_rebuild`` does it for many companies at once (a bulk load,
a changed process taxonomy).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet

from machikoba.companies.models import Capability, Company, ProcessCategory
from machikoba.companies.models_coverage import CoverageBase, MaterialCoverage, ProcessCoverage

BATCH = 5000


@dataclass
class _Best:
    tolerance: Decimal | None = None
    envelope: int | None = None

    def add(self, tolerance: Decimal | None, envelope: int | None) -> None:
        if tolerance is not None and (self.tolerance is None or tolerance < self.tolerance):
            self.tolerance = tolerance
        if envelope is not None and (self.envelope is None or envelope > self.envelope):
            self.envelope = envelope


def ancestor_codes(code: str) -> list[str]:
    """``cutting.turning.nc_lathe`` → ``cutting``, ``cutting.turning``, itself."""
    parts = code.split(".")
    return [".".join(parts[: n + 1]) for n in range(len(parts))]


def coverage_update(*, company: Company) -> None:
    """Rebuild one company's coverage from its capabilities."""
    coverage_rebuild(Company.objects.filter(pk=company.pk))


def coverage_rebuild(companies: QuerySet[Company] | None = None) -> int:
    """Rebuild the coverage of ``companies`` (all by default) in a few queries; returns
    the number of rows written."""
    capabilities = Capability.objects.order_by()
    links = Capability.materials.through.objects.order_by()
    old_processes = ProcessCoverage.objects.order_by()
    old_materials = MaterialCoverage.objects.order_by()
    if companies is not None:
        ids = companies.order_by().values("pk")
        capabilities = capabilities.filter(company__in=ids)
        links = links.filter(capability__company__in=ids)
        old_processes = old_processes.filter(company__in=ids)
        old_materials = old_materials.filter(company__in=ids)
    old_processes.delete()
    old_materials.delete()

    process_ids = dict(ProcessCategory.objects.order_by().values_list("code", "pk"))
    processes: dict[tuple[int, int], _Best] = {}
    for company_id, code, tolerance, envelope in capabilities.values_list(
        "company_id", "process__code", "best_tolerance_mm", "envelope_mm"
    ).iterator(chunk_size=BATCH):
        for ancestor in ancestor_codes(code):
            if ancestor in process_ids:
                key = (company_id, process_ids[ancestor])
                processes.setdefault(key, _Best()).add(tolerance, envelope)
    materials: dict[tuple[int, int], _Best] = {}
    for company_id, material_id, tolerance, envelope in links.values_list(
        "capability__company_id",
        "material_id",
        "capability__best_tolerance_mm",
        "capability__envelope_mm",
    ).iterator(chunk_size=BATCH):
        materials.setdefault((company_id, material_id), _Best()).add(tolerance, envelope)

    tables: list[tuple[type[CoverageBase], str, dict]] = [
        (ProcessCoverage, "process_id", processes),
        (MaterialCoverage, "material_id", materials),
    ]
    for model, field, bests in tables:
        model.objects.bulk_create(
            (
                model(
                    company_id=company_id,
                    best_tolerance_mm=best.tolerance,
                    max_envelope_mm=best.envelope,
                    **{field: item_id},
                )
                for (company_id, item_id), best in bests.items()
            ),
            batch_size=BATCH,
        )
    return len(processes) + len(materials)


def coverage_conditions(
    *,
    process_id: int | None = None,
    material_ids: list[int] | None = None,
    min_envelope_mm: int | None = None,
    max_tolerance_mm: Decimal | None = None,
) -> tuple[list[Exists], bool]:
    """Conditions on companies for the capability filters, and whether they are exact.

    ``process_id``: the category whose subtree is asked for; ``material_ids``: the
    material's (the caller has looked the codes up: literal ids let the database
    estimate how many companies match, and pick a hash join for a broad filter).

    Exact when the filters fit one coverage row: one process or one material, with a
    tolerance or an envelope but not both. Otherwise each condition is only necessary
    (whatever capability matches, its process and its material rows hold it), and the
    caller still tests the capabilities themselves. Only tolerance or envelope (no
    process, no material): no condition, not exact.
    """
    best = Q()
    if max_tolerance_mm is not None:
        best &= Q(best_tolerance_mm__lte=max_tolerance_mm)
    if min_envelope_mm:
        best &= Q(max_envelope_mm__gte=min_envelope_mm)
    conditions: list[Exists] = []
    if process_id is not None:
        processes = ProcessCoverage.objects.filter(best, process_id=process_id)
        conditions.append(Exists(processes.order_by().filter(company=OuterRef("pk"))))
    if material_ids is not None:
        materials = MaterialCoverage.objects.filter(best, material_id__in=material_ids)
        conditions.append(Exists(materials.order_by().filter(company=OuterRef("pk"))))
    exact = len(conditions) == 1 and not (max_tolerance_mm is not None and min_envelope_mm)
    return conditions, exact


def companies_in_subtree(code: str) -> QuerySet[Company]:
    """The companies with a capability in the process subtree of ``code``."""
    return Company.objects.filter(
        Q(capabilities__process__code=code) | Q(capabilities__process__code__startswith=f"{code}.")
    ).distinct()
