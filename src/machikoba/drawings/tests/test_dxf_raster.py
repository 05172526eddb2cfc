"""The bulk DXF rasteriser draws what the per-path rasteriser it replaced drew (issue 24).

``_reference_rasterise`` is the previous renderer, kept here verbatim in substance: ezdxf's
``Recorder``, then each path flattened by ezdxf in Python and drawn by Pillow. Both render
the same drawings at the zoom size; their ink must match within one pixel.
"""

import math

import ezdxf
import numpy as np
import pytest
from ezdxf.addons.drawing import Frontend, RenderContext
from ezdxf.addons.drawing.config import BackgroundPolicy, ColorPolicy, Configuration, TextPolicy
from ezdxf.addons.drawing.recorder import (
    FilledPathsRecord,
    ImageRecord,
    PathRecord,
    PointsRecord,
    Recorder,
    SolidLinesRecord,
)
from ezdxf.enums import TextEntityAlignment
from ezdxf.npshapes import NumpyPath2d
from ezdxf.path import Path
from PIL import Image, ImageDraw

from machikoba.drawings import dxf_raster
from machikoba.drawings.previews import ZOOM_EDGE, _fit
from machikoba.drawings.tests import samples

CONFIG = Configuration(
    background_policy=BackgroundPolicy.WHITE,
    color_policy=ColorPolicy.BLACK,
    text_policy=TextPolicy.OUTLINE,
)


def _reference_rasterise(player):
    """The renderer before issue 24: one ezdxf flattening and one Pillow call per path."""
    bbox = player.bbox()
    size_x, size_y = max(bbox.size.x, 1e-9), max(bbox.size.y, 1e-9)
    margin = 20
    width, height = _fit((max(size_x, size_y / 50), max(size_y, size_x / 50)), ZOOM_EDGE)
    scale = min((width - 2 * margin) / size_x, (height - 2 * margin) / size_y)
    origin_x, top_y = bbox.extmin.x, bbox.extmax.y

    def pixels(vertices):
        array = np.asarray(vertices, dtype=np.float64).reshape(-1, 2)
        xs = (array[:, 0] - origin_x) * scale + margin
        ys = (top_y - array[:, 1]) * scale + margin
        return list(zip(xs.tolist(), ys.tolist(), strict=True))

    def line_width(properties):
        return 4 if properties.lineweight >= 0.5 else 2

    flatten = max(size_x, size_y) / ZOOM_EDGE / 2
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for record, properties in player.recordings():
        fill = properties.rgb[:3]
        if isinstance(record, SolidLinesRecord):
            points = pixels(record.lines.np_vertices())
            for start in range(0, len(points) - 1, 2):
                draw.line(points[start : start + 2], fill=fill, width=line_width(properties))
        elif isinstance(record, PathRecord):
            points = pixels(list(record.path.flattening(flatten)))
            if len(points) > 1:
                draw.line(points, fill=fill, width=line_width(properties), joint="curve")
        elif isinstance(record, FilledPathsRecord):
            for path in record.paths:
                points = pixels(list(path.flattening(flatten)))
                if len(points) > 2:
                    draw.polygon(points, fill=fill)
        elif isinstance(record, PointsRecord):
            points = pixels(record.points.np_vertices())
            if len(points) == 1:
                x, y = points[0]
                draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=fill)
            elif len(points) == 2:
                draw.line(points, fill=fill, width=line_width(properties))
            elif points:
                draw.polygon(points, fill=fill)
        elif isinstance(record, ImageRecord):
            points = pixels(record.boundary.np_vertices())
            if len(points) > 2:
                draw.polygon(points, outline=fill)
    return image


def _workshop_drawing():
    """A part drawing using every kind of geometry the frontend emits."""
    doc = ezdxf.new("R2010", setup=True)
    msp = doc.modelspace()
    msp.add_lwpolyline(
        [(0, 0), (420, 0), (420, 297), (0, 297)], close=True, dxfattribs={"lineweight": 50}
    )
    # Outline with bulges (arcs), holes, a slot, an ellipse, a spline.
    msp.add_lwpolyline(
        [(40, 40, 0, 0, 0), (200, 40, 0, 0, 0.4), (200, 160, 0, 0, 0), (40, 160, 0, 0, -0.3)],
        format="xyseb",
        close=True,
        dxfattribs={"lineweight": 50},
    )
    for x in (70, 120, 170):
        msp.add_circle((x, 100), radius=8)
        msp.add_arc((x, 100), radius=12, start_angle=20, end_angle=160)
    msp.add_ellipse((300, 200), major_axis=(60, 10), ratio=0.4)
    msp.add_spline([(240, 40), (270, 90), (320, 50), (380, 120), (400, 60)])
    # Fills: a solid, a hatched pocket with an island, a point.
    msp.add_solid([(250, 240), (290, 240), (250, 270), (290, 270)])
    hatch = msp.add_hatch(color=1)
    hatch.paths.add_polyline_path([(300, 60), (390, 60), (390, 140), (300, 140)], is_closed=True)
    hatch.paths.add_polyline_path(
        [(330, 90), (360, 90), (360, 110), (330, 110)], is_closed=True, flags=16
    )
    msp.add_point((230, 250))
    # Linetypes become solid lines in the frontend.
    msp.add_line((20, 20), (400, 280), dxfattribs={"linetype": "DASHED", "ltscale": 5})
    msp.add_line((20, 280), (400, 20), dxfattribs={"linetype": "CENTER", "ltscale": 5})
    # Text, multi-line text and a dimension.
    msp.add_text("PLATE-01 φ12H7 ±0.02", height=8).set_placement(
        (40, 260), align=TextEntityAlignment.LEFT
    )
    msp.add_mtext("材質 SS400\\P表面処理 黒染め", dxfattribs={"char_height": 6}).set_location(
        (40, 230)
    )
    msp.add_linear_dim(base=(40, 180), p1=(40, 160), p2=(200, 160), dimstyle="EZDXF").render()
    # A block inserted rotated and scaled.
    block = doc.blocks.new("BOSS")
    block.add_circle((0, 0), radius=5)
    block.add_line((-7, 0), (7, 0))
    block.add_line((0, -7), (0, 7))
    for angle in (0, 30, 60):
        msp.add_blockref("BOSS", (250 + angle, 170), dxfattribs={"rotation": angle, "xscale": 1.5})
    return doc


def _render(document):
    """(reference image, bulk image) of the document's modelspace."""
    recorder = Recorder()
    Frontend(RenderContext(document), recorder, config=CONFIG).draw_layout(
        document.modelspace(), finalize=True
    )
    geometry = dxf_raster.BulkBackend()
    Frontend(RenderContext(document), geometry, config=CONFIG).draw_layout(
        document.modelspace(), finalize=True
    )
    return _reference_rasterise(recorder.player()), dxf_raster.rasterise(geometry, ZOOM_EDGE)


def _ink(image):
    return np.asarray(image.convert("L")) < 128


def _grow(mask):
    """``mask`` dilated by one pixel in every direction."""
    grown = mask.copy()
    padded = np.pad(mask, 1)
    height, width = mask.shape
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            grown |= padded[dy : dy + height, dx : dx + width]
    return grown


def _overlap(reference, bulk):
    """Share of each image's ink lying within one pixel of the other's ink."""
    a, b = _ink(reference), _ink(bulk)
    return (a & _grow(b)).sum() / a.sum(), (b & _grow(a)).sum() / b.sum()


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(lambda: samples.dxf_document(), id="sample plate"),
        pytest.param(lambda: samples.dxf_document(rows=40, cols=60), id="dense sheet"),
        pytest.param(_workshop_drawing, id="workshop drawing"),
    ],
)
def test_the_bulk_render_matches_the_reference_within_a_pixel(document):
    reference, bulk = _render(document())
    assert bulk.size == reference.size
    assert max(bulk.size) == ZOOM_EDGE
    old_covered, new_covered = _overlap(reference, bulk)
    assert old_covered >= 0.99, old_covered
    assert new_covered >= 0.99, new_covered
    # Not just "both are blank": a clear amount of ink, and about as much as before.
    assert _ink(bulk).sum() > 0.005 * bulk.width * bulk.height
    assert _ink(bulk).sum() == pytest.approx(_ink(reference).sum(), rel=0.1)


def test_a_drawing_that_is_missing_a_part_does_not_match():
    """The comparison is strict enough to see a missing entity."""
    document = _workshop_drawing()
    reference, _ = _render(document)
    for entity in document.modelspace().query("HATCH"):
        document.modelspace().delete_entity(entity)
    _, bulk = _render(document)
    old_covered, _ = _overlap(reference, bulk)
    assert old_covered < 0.99


def test_no_path_is_flattened_point_by_point_in_python(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("ezdxf's per-point flattening was called")

    monkeypatch.setattr(NumpyPath2d, "flattening", refuse)
    geometry = dxf_raster.BulkBackend()
    document = _workshop_drawing()
    Frontend(RenderContext(document), geometry, config=CONFIG).draw_layout(
        document.modelspace(), finalize=True
    )
    assert _ink(dxf_raster.rasterise(geometry, ZOOM_EDGE)).sum() > 10_000


def test_curves_stay_within_the_tolerance_and_contours_are_not_joined():
    path = Path((10, 0))
    for quarter in range(4):
        a, b = quarter * math.pi / 2, (quarter + 1) * math.pi / 2
        k = 4 / 3 * math.tan(math.pi / 8) * 10
        path.curve4_to(
            (10 * math.cos(b), 10 * math.sin(b)),
            (10 * math.cos(a) - k * math.sin(a), 10 * math.sin(a) + k * math.cos(a)),
            (10 * math.cos(b) + k * math.sin(b), 10 * math.sin(b) - k * math.cos(b)),
        )
    path.move_to((30, 0))
    path.curve3_to((40, 0), (35, 10))
    numpy_path = NumpyPath2d(path)
    points, starts, path_first = dxf_raster.flatten(
        [numpy_path.np_vertices()], [numpy_path._commands], 0.01
    )
    assert starts.tolist() == [0, starts[1]]  # two polylines: the circle, then the arch
    assert path_first.tolist() == [0]
    circle, arch = points[: starts[1]], points[starts[1] :]
    assert np.allclose(np.hypot(circle[:, 0], circle[:, 1]), 10, atol=0.01)
    assert len(circle) > 4 * 8  # far more than the control points
    assert circle[0].tolist() == [10, 0]
    assert np.allclose(circle[-1], [10, 0])
    assert arch[0].tolist() == [30, 0]
    assert arch[-1].tolist() == [40, 0]
    assert arch[:, 1].max() == pytest.approx(5, abs=0.01)  # a parabola's apex: half its height


def test_an_empty_drawing_gives_no_image():
    assert dxf_raster.rasterise(dxf_raster.BulkBackend(), ZOOM_EDGE) is None


def test_curves_flattened_in_small_batches_come_out_the_same(monkeypatch):
    document = _workshop_drawing()
    geometry = dxf_raster.BulkBackend()
    Frontend(RenderContext(document), geometry, config=CONFIG).draw_layout(
        document.modelspace(), finalize=True
    )
    whole = dxf_raster.flatten(geometry.path_vertices, geometry.path_commands, 0.05)
    monkeypatch.setattr(dxf_raster, "CURVE_BATCH", 7)
    batched = dxf_raster.flatten(geometry.path_vertices, geometry.path_commands, 0.05)
    assert len(whole[0]) > 1000
    for a, b in zip(whole, batched, strict=True):
        assert np.array_equal(a, b)


def test_clearing_the_backend_forgets_what_was_drawn():
    from machikoba.drawings.dxf_raster import BulkBackend

    backend = BulkBackend()
    backend.path_vertices.append(object())
    backend.operations.append((0, 0, 0, (0, 0, 0), 1))
    backend.clear()
    assert backend.path_vertices == []
    assert backend.operations == []
    assert backend.point_arrays == []
