"""What each company covers, kept beside its capabilities for the directory's broad
filters (companies.coverage): a search for 切削 or for A5052 reads one short index range
of these instead of the capability rows of a whole subtree (at 特別区 scale, 30,000
companies and 600,000 capabilities, hundreds of thousands of rows per search)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from machikoba.companies import access
from machikoba.core.access import AccessManager, ScopedPolicy


class CoverageBase(models.Model):
    """The best a company does over some of its capabilities: the smallest tolerance and
    the largest work envelope among them (null where none of them states one)."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    best_tolerance_mm = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    max_envelope_mm = models.PositiveIntegerField(null=True, blank=True)

    objects = AccessManager()
    access_policy = ScopedPolicy(access.public_profile_scope, access.profile_part_anonymous_scope)

    class Meta:
        abstract = True


class ProcessCoverage(CoverageBase):
    """A process a company covers: the process of one of its capabilities, or an ancestor
    of one (切削 for a company with NC旋盤), over the capabilities of that subtree."""

    process = models.ForeignKey(
        "companies.ProcessCategory", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("工程の対応範囲")
        verbose_name_plural = _("工程の対応範囲")
        constraints = [
            models.UniqueConstraint(fields=["process", "company"], name="unique_process_coverage")
        ]
        indexes = [
            models.Index(
                fields=["process", "best_tolerance_mm", "company"], name="process_coverage_tol"
            ),
            models.Index(
                fields=["process", "max_envelope_mm", "company"], name="process_coverage_env"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.process_id}"


class MaterialCoverage(CoverageBase):
    """A material a company works, over the capabilities that list it."""

    material = models.ForeignKey("companies.Material", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("材料の対応範囲")
        verbose_name_plural = _("材料の対応範囲")
        constraints = [
            models.UniqueConstraint(fields=["material", "company"], name="unique_material_coverage")
        ]
        indexes = [
            models.Index(
                fields=["material", "best_tolerance_mm", "company"], name="material_coverage_tol"
            ),
            models.Index(
                fields=["material", "max_envelope_mm", "company"], name="material_coverage_env"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.material_id}"
