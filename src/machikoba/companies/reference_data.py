"""The ward's reference data (process taxonomy, materials, certification kinds),
shipped as JSON in ``companies/data/`` and loaded by a data migration. Loading is
idempotent: codes are stable keys; names are updated, rows an admin added are kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read(name: str):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def load_reference_data(apps=None) -> dict[str, int]:
    """Create or update every shipped row. ``apps`` is the migration state (or None)."""
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    process_model = apps.get_model("companies", "ProcessCategory")
    group_model = apps.get_model("companies", "MaterialGroup")
    material_model = apps.get_model("companies", "Material")
    cert_model = apps.get_model("companies", "CertificationKind")

    processes: dict[str, Any] = {}
    for order, node in enumerate(read("processes.json")):
        processes[node["code"]], _ = process_model.objects.update_or_create(
            code=node["code"],
            defaults={
                "parent": processes.get(node["parent"]) if node["parent"] else None,
                "name_ja": node["name_ja"],
                "name_en": node["name_en"],
                "jis_symbol": node.get("jis_symbol") or "",
                "keywords": node.get("keywords") or [],
                "sort_order": order,
            },
        )
    data = read("materials.json")
    groups = {}
    for order, group in enumerate(data["groups"]):
        groups[group["code"]], _ = group_model.objects.update_or_create(
            code=group["code"],
            defaults={
                "name_ja": group["name_ja"],
                "name_en": group["name_en"],
                "sort_order": order,
            },
        )
    for order, material in enumerate(data["materials"]):
        material_model.objects.update_or_create(
            code=material["code"],
            defaults={
                "group": groups[material["group"]],
                "name_ja": material["name_ja"],
                "name_en": material["name_en"],
                "aliases": material.get("aliases") or [],
                "sort_order": order,
            },
        )
    certifications = read("certifications.json")
    for order, kind in enumerate(certifications):
        cert_model.objects.update_or_create(
            code=kind["code"],
            defaults={
                "name_ja": kind["name_ja"],
                "name_en": kind["name_en"],
                "group": kind.get("kind", "other"),
                "sort_order": order,
            },
        )
    return {
        "processes": len(processes),
        "materials": len(data["materials"]),
        "certifications": len(certifications),
    }
