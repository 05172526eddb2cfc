"""Fill the stored profile score (0018) of every existing company, by the rules of
``companies.checklist`` as they stand at this migration (written out here: a migration
must not follow later changes of the app's code): one point each for a capability with
materials, a capability with a work envelope, a machine, a certificate valid today, a
photo and a PR text; ``profile_certified_until`` is the latest expiry among the valid
certificates (NULL when one never expires, or none is valid).

One UPDATE; each item reads its table once into a hashed set of company ids
(``pk IN (SELECT DISTINCT …)``). A correlated EXISTS per company became a merge join per
row on a freshly loaded database without statistics, and the IN without DISTINCT a rescan
per row: minutes for 30,000 companies (bench/README.md).
"""

from django.db import migrations
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone


def fill(apps, schema_editor):
    company = apps.get_model("companies", "Company")
    capability = apps.get_model("companies", "Capability")
    equipment = apps.get_model("companies", "Equipment")
    certification = apps.get_model("companies", "CompanyCertification")
    photo = apps.get_model("companies", "CompanyPhoto")
    valid = Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())
    certificates = certification.objects.filter(valid)
    done = [
        Q(pk__in=capability.materials.through.objects.values("capability__company").distinct()),
        Q(pk__in=capability.objects.filter(envelope_mm__isnull=False).values("company").distinct()),
        Q(pk__in=equipment.objects.values("company").distinct()),
        Q(pk__in=certificates.values("company").distinct()),
        Q(pk__in=photo.objects.values("company").distinct()),
        ~Q(pr_text=""),
    ]
    score = Value(0, output_field=IntegerField())
    for condition in done:
        score = score + Case(When(condition, then=Value(1)), default=Value(0))
    company.objects.order_by().update(
        profile_score=score,
        profile_certified_until=Subquery(
            certificates.filter(company=OuterRef("pk"))
            .order_by(F("valid_until").desc(nulls_first=True))
            .values("valid_until")[:1]
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("companies", "0018_company_profile_score")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
