"""The schema's components are keyed by class name: two input or output schemas with the
same name would overwrite each other in /api/openapi.json (clients and the fuzzer would
validate against the wrong one), so every API schema's name is unique."""

from collections import defaultdict

from ninja import Schema

import machikoba.config.api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_api_schema_name_is_unique():
    modules = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("machikoba.") and "[" not in schema.__name__:
            modules[schema.__name__].add(schema.__module__)
    clashes = {name: sorted(found) for name, found in modules.items() if len(found) > 1}
    assert clashes == {}


def test_a_drawing_list_and_a_lab_document_keep_their_own_components():
    components = machikoba.config.api.api.get_openapi_schema()["components"]["schemas"]
    drawing = set(components["DrawingsDocumentOut"]["properties"])
    lab = set(components["LabDocumentOut"]["properties"])
    assert "drawing_number" in drawing
    assert "drawing_number" not in lab
