"""Every write of the KPI dashboard: definitions and their versions, targets, snapshots,
the public page, the company survey. Views and tasks call these only."""

from machikoba.kpi.services.definitions import definition_revise, definitions_install
from machikoba.kpi.services.snapshots import snapshot_take, snapshots_refresh
from machikoba.kpi.services.targets import publication_set, target_set

__all__ = [
    "definition_revise",
    "definitions_install",
    "publication_set",
    "snapshot_take",
    "snapshots_refresh",
    "target_set",
]
