"""The paper's 18 indicators, version 1 of each (``kpi.definitions.PAPER``), written with
the historical models so later model changes do not break this step."""

from decimal import Decimal

from django.db import migrations

from machikoba.kpi.definitions import PAPER

FIELDS = (
    "name", "name_en", "unit", "baseline", "baseline_year", "target", "target_year", "period",
    "period_years", "formula", "formula_en", "source", "source_en", "computation", "params",
)  # fmt: skip


def install(apps, schema_editor):
    indicator_model = apps.get_model("kpi", "Indicator")
    definition_model = apps.get_model("kpi", "Definition")
    for position, row in enumerate(PAPER, start=1):
        indicator, _created = indicator_model.objects.get_or_create(
            code=row["code"],
            defaults={"measure": row["measure"], "level": row["level"], "position": position},
        )
        if definition_model.objects.filter(indicator=indicator).exists():
            continue
        fields = {key: row[key] for key in FIELDS if key in row}
        for key in ("baseline", "target"):
            if fields.get(key) is not None:
                fields[key] = Decimal(fields[key])
        definition_model.objects.create(indicator=indicator, version=1, **fields)


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
