from django.db import migrations


def load(apps, schema_editor):
    from machikoba.companies.reference_data import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("companies", "0002_profile_capabilities")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
