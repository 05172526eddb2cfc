"""Rasterise what ezdxf's drawing frontend draws, in bulk.

ezdxf's ``Frontend`` resolves blocks, linetypes and text into plain 2D geometry and hands it
to a backend. ``BulkBackend`` only keeps the numpy arrays it is given. Drawing them path by
path in Python (ezdxf's ``flattening`` yields one ``Vec2`` per point) took most of the
preview's time; here every Bézier curve of every path is flattened in one vectorised pass,
every point is moved to pixels in one array operation, and Pillow draws each polyline from
a slice of one flat list.

Curves are cut into as many straight pieces as Wang's formula asks for a deviation of at
most ``TOLERANCE_PX`` from the true curve; a sub-path starts at each MOVE_TO, so the
contours of a letter are not joined by stray strokes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import numpy as np
from ezdxf.addons.drawing.backend import BackendInterface
from ezdxf.math import Vec2
from PIL import Image, ImageDraw

MARGIN_PX = 20
TOLERANCE_PX = 0.25
MAX_CURVE_SEGMENTS = 64
CURVE_BATCH = 100_000
THIN_WIDTH_PX = 2
THICK_WIDTH_PX = 4  # 0.5 mm and heavier: outlines, twice as wide as dimensions and hatching
THICK_LINEWEIGHT_MM = 0.5

_LINE_TO, _CURVE3_TO, _CURVE4_TO, _MOVE_TO = 1, 2, 3, 4
# How many vertices each path command consumes, indexed by the command code.
_CONSUMES = np.array([0, 1, 2, 3, 1], dtype=np.int64)

# Drawing operations, in the order the frontend recorded them: the first two draw paths,
# the others point arrays.
_STROKE, _FILL, _POLYGON, _OUTLINE, _DOT, _SEGMENTS = range(6)


class BulkBackend(BackendInterface):
    """An ezdxf drawing backend that keeps what the frontend draws as flat arrays.

    Paths go to one pool, point arrays (lines, dots, polygons, image frames) to another;
    ``operations`` lists what to draw, in the order the frontend drew it.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.path_vertices: list[np.ndarray] = []
        self.path_commands: list[np.ndarray] = []
        self.point_arrays: list[np.ndarray] = []
        # (operation, first, last, colour, width): paths [first, last) for strokes and
        # fills, point arrays [first, last) for the others.
        self.operations: list[tuple[int, int, int, tuple[int, int, int], int]] = []
        self._styles: dict[tuple[str, float], tuple[tuple[int, int, int], int]] = {}

    def _style(self, properties: Any) -> tuple[tuple[int, int, int], int]:
        key = (properties.color, properties.lineweight)
        style = self._styles.get(key)
        if style is None:
            rgb = properties.rgb
            width = THICK_WIDTH_PX if key[1] >= THICK_LINEWEIGHT_MM else THIN_WIDTH_PX
            style = self._styles[key] = ((rgb[0], rgb[1], rgb[2]), width)
        return style

    def _paths(self, paths: Iterable[Any], operation: int, properties: Any) -> None:
        first = len(self.path_vertices)
        for path in paths:
            commands = _commands(path)
            if len(commands):
                self.path_vertices.append(path.np_vertices())
                self.path_commands.append(commands)
        if len(self.path_vertices) > first:
            colour, width = self._style(properties)
            self.operations.append((operation, first, len(self.path_vertices), colour, width))

    def _points(self, points: np.ndarray, operation: int, properties: Any) -> None:
        if len(points):
            colour, width = self._style(properties)
            index = len(self.point_arrays)
            self.point_arrays.append(points.reshape(-1, 2))
            self.operations.append((operation, index, index + 1, colour, width))

    def draw_path(self, path: Any, properties: Any) -> None:
        commands = _commands(path)
        if len(commands):
            colour, width = self._style(properties)
            index = len(self.path_vertices)
            self.path_vertices.append(path.np_vertices())
            self.path_commands.append(commands)
            self.operations.append((_STROKE, index, index + 1, colour, width))

    def draw_filled_paths(self, paths: Iterable[Any], properties: Any) -> None:
        self._paths(paths, _FILL, properties)

    def draw_point(self, pos: Vec2, properties: Any) -> None:
        self._points(np.array([(pos.x, pos.y)], dtype=np.float64), _DOT, properties)

    def draw_line(self, start: Vec2, end: Vec2, properties: Any) -> None:
        points = np.array([(start.x, start.y), (end.x, end.y)], dtype=np.float64)
        self._points(points, _SEGMENTS, properties)

    def draw_solid_lines(self, lines: Iterable[tuple[Vec2, Vec2]], properties: Any) -> None:
        coordinates = [(v.x, v.y) for pair in lines for v in pair]
        self._points(np.array(coordinates, dtype=np.float64), _SEGMENTS, properties)

    def draw_filled_polygon(self, points: Any, properties: Any) -> None:
        array = points.np_vertices().reshape(-1, 2)
        operation = _DOT if len(array) == 1 else _SEGMENTS if len(array) == 2 else _POLYGON
        self._points(array, operation, properties)

    def draw_image(self, image_data: Any, properties: Any) -> None:
        # Raster images inside DXF (scanned underlays) are shown by their frame only.
        boundary = copy.deepcopy(image_data.pixel_boundary_path)
        boundary.transform_inplace(image_data.transform)
        array = boundary.np_vertices().reshape(-1, 2)
        if len(array) > 2:
            self._points(array, _OUTLINE, properties)

    def configure(self, config: Any) -> None:
        pass

    def set_background(self, color: Any) -> None:
        pass

    def enter_entity(self, entity: Any, properties: Any) -> None:
        pass

    def exit_entity(self, entity: Any) -> None:
        pass

    def clear(self) -> None:
        """Forget everything drawn so far (ezdxf's interface: a backend reused for another
        layout starts empty)."""
        self._reset()

    def finalize(self) -> None:
        pass

    def extents(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Lower-left and upper-right corners of every vertex (curve control points too)."""
        arrays = self.path_vertices + self.point_arrays
        if not arrays:
            return None
        everything = np.concatenate(arrays)
        return everything.min(axis=0), everything.max(axis=0)


def _commands(path: Any) -> np.ndarray:
    commands = getattr(path, "_commands", None)  # NumpyPath2d keeps its codes as an array
    if commands is None:
        commands = np.asarray(path.command_codes(), dtype=np.int8)
    return commands


def flatten(
    vertices: list[np.ndarray], commands: list[np.ndarray], tolerance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All paths as polylines: (points, polyline starts, first polyline of each path).

    ``points`` is (n, 2); polyline ``i`` is ``points[starts[i]:starts[i + 1]]`` (the last
    one ends at ``n``); path ``p``'s polylines are ``path_first[p]`` to ``path_first[p + 1]``.
    ``tolerance`` is the largest distance allowed between a curve and its chords.
    """
    counts = np.fromiter(map(len, commands), dtype=np.int64, count=len(commands))
    vertex_counts = np.fromiter(map(len, vertices), dtype=np.int64, count=len(vertices))
    codes = np.concatenate(commands).astype(np.int64)
    points = np.concatenate(vertices)
    paths = len(commands)
    path_of = np.repeat(np.arange(paths), counts)
    vertex_offset = np.concatenate(([0], np.cumsum(vertex_counts)[:-1]))
    consumed = np.cumsum(_CONSUMES[codes])
    consumed_before_path = np.concatenate(([0], consumed))[np.cumsum(counts) - counts]
    # Index (into ``points``) of each command's end vertex.
    end = vertex_offset[path_of] + consumed - consumed_before_path[path_of]

    # Pieces per command: 1 for lines and moves, Wang's formula for Bézier curves.
    pieces = np.ones(len(codes), dtype=np.int64)
    cubic = np.flatnonzero(codes == _CURVE4_TO)
    if len(cubic):
        p0, p1, p2, p3 = (points[end[cubic] - k] for k in (3, 2, 1, 0))
        bend = np.maximum(np.hypot(*(p0 - 2 * p1 + p2).T), np.hypot(*(p1 - 2 * p2 + p3).T))
        pieces[cubic] = np.ceil(np.sqrt(0.75 * bend / tolerance))
    quadratic = np.flatnonzero(codes == _CURVE3_TO)
    if len(quadratic):
        p0, p1, p2 = (points[end[quadratic] - k] for k in (2, 1, 0))
        bend = np.hypot(*(p0 - 2 * p1 + p2).T)
        pieces[quadratic] = np.ceil(np.sqrt(0.25 * bend / tolerance))
    np.clip(pieces, 1, MAX_CURVE_SEGMENTS, out=pieces)

    # Output layout: per path, its start vertex, then each command's points in order.
    items = paths + len(codes)
    item_sizes = np.empty(items, dtype=np.int64)
    path_item = np.arange(paths) + np.concatenate(([0], np.cumsum(counts)[:-1]))
    command_item = np.ones(items, dtype=bool)
    command_item[path_item] = False
    item_sizes[path_item] = 1
    item_sizes[command_item] = pieces
    item_offset = np.concatenate(([0], np.cumsum(item_sizes)[:-1]))
    total = int(item_sizes.sum())
    out = np.empty((total, 2), dtype=np.float64)
    out[item_offset[path_item]] = points[vertex_offset]

    command_offset = item_offset[command_item]
    straight = pieces == 1
    out[command_offset[straight]] = points[end[straight]]
    bent = np.flatnonzero(~straight)
    # Curves in batches, so the temporary arrays stay small whatever the drawing's size.
    for batch in range(0, len(bent), CURVE_BATCH):
        _evaluate(
            bent[batch : batch + CURVE_BATCH], pieces, codes, end, points, out, command_offset
        )

    # A polyline starts at each path's start and at each MOVE_TO.
    breaks = np.zeros(total, dtype=bool)
    breaks[item_offset[path_item]] = True
    breaks[command_offset[codes == _MOVE_TO]] = True
    starts = np.flatnonzero(breaks)
    path_first = np.searchsorted(starts, item_offset[path_item])
    return out, starts, path_first


def _evaluate(bent, pieces, codes, end, points, out, command_offset) -> None:
    """Points along the Bézier commands ``bent``, written to their places in ``out``."""
    repeat = pieces[bent]
    which = np.repeat(bent, repeat)
    step = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat) + 1
    t = (step / pieces[which])[:, None]
    u = 1.0 - t
    tail = end[which]
    c = codes[which] == _CURVE4_TO
    q = ~c
    value = np.empty((len(which), 2), dtype=np.float64)
    value[c] = (
        u[c] ** 3 * points[tail[c] - 3]
        + 3 * u[c] ** 2 * t[c] * points[tail[c] - 2]
        + 3 * u[c] * t[c] ** 2 * points[tail[c] - 1]
        + t[c] ** 3 * points[tail[c]]
    )
    value[q] = (
        u[q] ** 2 * points[tail[q] - 2]
        + 2 * u[q] * t[q] * points[tail[q] - 1]
        + t[q] ** 2 * points[tail[q]]
    )
    out[command_offset[which] + step - 1] = value


def rasterise(geometry: BulkBackend, edge: int) -> Image.Image | None:
    """What ``geometry`` holds, as an RGB image whose long side is ``edge`` pixels; None
    when nothing was drawn."""
    extents = geometry.extents()
    if extents is None:
        return None
    low, high = extents
    size_x, size_y = max(high[0] - low[0], 1e-9), max(high[1] - low[1], 1e-9)
    width, height = _fit((max(size_x, size_y / 50), max(size_y, size_x / 50)), edge)
    scale = min((width - 2 * MARGIN_PX) / size_x, (height - 2 * MARGIN_PX) / size_y)

    def to_pixels(points: np.ndarray) -> list[float]:
        pixels = np.empty_like(points)
        pixels[:, 0] = (points[:, 0] - low[0]) * scale + MARGIN_PX
        pixels[:, 1] = (high[1] - points[:, 1]) * scale + MARGIN_PX
        return pixels.ravel().tolist()

    if geometry.path_vertices:
        points, starts, path_first = flatten(
            geometry.path_vertices, geometry.path_commands, TOLERANCE_PX / scale
        )
        bounds = np.append(starts, len(points)).tolist()
        path_first_list = np.append(path_first, len(starts)).tolist()
    else:
        points, bounds, path_first_list = np.empty((0, 2)), [0], [0]
    path_xy = _Pixels(points, to_pixels)
    arrays = geometry.point_arrays
    point_xy = _Pixels(np.concatenate(arrays) if arrays else np.empty((0, 2)), to_pixels)
    point_bounds = np.cumsum([0] + [len(array) for array in arrays]).tolist()

    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    line, polygon = draw.line, draw.polygon
    for operation, first, last, colour, line_width in geometry.operations:
        if operation in (_STROKE, _FILL):
            for index in range(path_first_list[first], path_first_list[last]):
                a, b = bounds[index], bounds[index + 1]
                if operation == _STROKE:
                    if b - a > 1:
                        line(path_xy.slice(a, b), fill=colour, width=line_width)
                elif b - a > 2:
                    polygon(path_xy.slice(a, b), fill=colour)
            continue
        xy = point_xy.slice(point_bounds[first], point_bounds[last])
        if operation == _DOT:
            x, y = xy
            draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=colour)
        elif operation == _SEGMENTS:
            for start in range(0, len(xy) - 3, 4):
                line(xy[start : start + 4], fill=colour, width=line_width)
        elif operation == _POLYGON:
            polygon(xy, fill=colour)
        else:
            polygon(xy, outline=colour)
    return image


class _Pixels:
    """Flat pixel coordinates of ``points``, converted a chunk at a time: a Python list of
    every coordinate of a large drawing would cost more memory than the drawing itself.
    Slices must be asked for in order (each starting at or after the previous start)."""

    CHUNK = 65_536

    def __init__(self, points: np.ndarray, convert) -> None:
        self.points, self.convert = points, convert
        self.start = self.end = 0
        self.flat: list[float] = []

    def slice(self, first: int, last: int) -> list[float]:
        """[x0, y0, x1, y1, …] of points ``first`` to ``last`` (excluded)."""
        if last > self.end or first < self.start:
            self.start, self.end = first, max(last, first + self.CHUNK)
            self.flat = self.convert(self.points[self.start : self.end])
        return self.flat[2 * (first - self.start) : 2 * (last - self.start)]


def _fit(size: tuple[float, float], edge: int) -> tuple[int, int]:
    """``size`` scaled so its long side is exactly ``edge`` pixels."""
    width, height = size
    factor = edge / max(width, height)
    return max(1, round(width * factor)), max(1, round(height * factor))
