"""The 23 special wards of Tokyo (``wards/reference.py``). Other municipalities are added
by a platform admin."""

from django.db import migrations


def load(apps, schema_editor):
    from machikoba.wards.reference import load_special_wards

    load_special_wards(apps.get_model("wards", "MunicipalityGroup"), apps.get_model("wards", "Municipality"))


class Migration(migrations.Migration):
    dependencies = [("wards", "0001_municipalities")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
