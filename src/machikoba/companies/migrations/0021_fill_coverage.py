"""Fill the coverage index (0020) of every existing company, by the rules of
``companies.coverage`` as they stand at this migration (written out here: a migration
must not follow later changes of the app's code): per company, each process of its
capabilities and every ancestor of it (the code's dotted prefixes), and each material of
its capabilities, with the smallest tolerance and the largest envelope over the
capabilities concerned. Two reads and two bulk inserts, whatever the number of companies.
"""

from django.db import migrations

BATCH = 5000


def _best(best, tolerance, envelope):
    low, high = best
    if tolerance is not None and (low is None or tolerance < low):
        low = tolerance
    if envelope is not None and (high is None or envelope > high):
        high = envelope
    return low, high


def fill(apps, schema_editor):
    capability = apps.get_model("companies", "Capability")
    category = apps.get_model("companies", "ProcessCategory")
    process_coverage = apps.get_model("companies", "ProcessCoverage")
    material_coverage = apps.get_model("companies", "MaterialCoverage")
    ids = dict(category.objects.values_list("code", "pk"))
    processes = {}
    for company_id, code, tolerance, envelope in (
        capability.objects.order_by()
        .values_list("company_id", "process__code", "best_tolerance_mm", "envelope_mm")
        .iterator(chunk_size=BATCH)
    ):
        parts = code.split(".")
        for n in range(len(parts)):
            ancestor = ids.get(".".join(parts[: n + 1]))
            if ancestor is not None:
                key = (company_id, ancestor)
                processes[key] = _best(processes.get(key, (None, None)), tolerance, envelope)
    materials = {}
    for company_id, material_id, tolerance, envelope in (
        capability.materials.through.objects.order_by()
        .values_list(
            "capability__company_id",
            "material_id",
            "capability__best_tolerance_mm",
            "capability__envelope_mm",
        )
        .iterator(chunk_size=BATCH)
    ):
        key = (company_id, material_id)
        materials[key] = _best(materials.get(key, (None, None)), tolerance, envelope)
    process_coverage.objects.bulk_create(
        (
            process_coverage(
                company_id=c, process_id=p, best_tolerance_mm=low, max_envelope_mm=high
            )
            for (c, p), (low, high) in processes.items()
        ),
        batch_size=BATCH,
    )
    material_coverage.objects.bulk_create(
        (
            material_coverage(
                company_id=c, material_id=m, best_tolerance_mm=low, max_envelope_mm=high
            )
            for (c, m), (low, high) in materials.items()
        ),
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [("companies", "0020_coverage")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
