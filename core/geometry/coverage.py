"""Which cells of a raster grid each polygon covers: exact fractions, or the pixel-centre rule.

Both rules run the same scan, vectorised over every polygon of a batch at once, in the spirit of
the "signed area accumulation" of font rasterisers:

* exact: each polygon edge is cut where it crosses a column or row line, so every piece lies in
  one cell. By Green's theorem a piece contributes ``du × (mean v − row top)`` to its own cell and
  ``du`` to every cell above it in its column; a cumulative sum up each column turns those into the
  exact area of the polygon in each cell (holes, being oriented the other way, subtract). Only
  boundary cells get fractions; interior cells come out as 1. The fractions equal exactextract's
  (its coverage is single-precision, so ours is rounded the same way before use).
* pixel centre: for each column, the edges crossing the vertical line through the cell centres add
  their direction (±1) below the crossing point, and the same cumulative sum gives the winding
  number at each centre. A centre on a horizontal border belongs to the cells below it, on a
  vertical border to the cells right of it (GDAL's rasterisation rule), so a centre on the border
  between two units counts in exactly one of them (QGIS's own zonal statistics count it in
  neither).

Memory is ``(rows + 1) × columns`` floats per polygon box, so callers cut the work in batches.
"""

import numpy as np
import shapely

from .names import CENTRE, EXACT  # noqa: F401 (the rules are named here for callers)
# Fractions below this many cells per cell of the box's side are rounding noise, not coverage.
NEGLIGIBLE = 1e-14
# Covered cells a task holds at once (zonal statistics, raster weights): about 60 bytes a cell
# while a batch is read and processed, so a million cells keep a task near 60 MB.
DEFAULT_CELL_BUDGET = 1_000_000
# The scan sees the grid transposed, which mirrors the orientation of rings.
_ORIENTATION = -1.0


class CellCoverage:
    """Covered cells, polygon by polygon, as runs along rows: run ``i`` covers the cells of row
    ``run_rows[i]`` from column ``run_columns[i]`` on, ``run_lengths[i]`` of them, for polygon
    ``run_owners[i]`` (its position in the batch; runs are grouped by polygon, ascending). Every
    cell of a run is wholly covered except perhaps the first, covered by ``run_first[i]``.

    ``owner``, ``rows``, ``columns`` and ``fractions`` give the cells one by one (computed when
    asked); rows and columns may lie outside the raster.
    """

    def __init__(self, run_owners, run_rows, run_columns, run_lengths, run_first):
        self.run_owners, self.run_rows, self.run_columns = run_owners, run_rows, run_columns
        self.run_lengths, self.run_first = run_lengths, run_first
        self.run_starts = np.cumsum(run_lengths) - run_lengths
        self.cell_count = int(run_lengths.sum())

    def _step(self):
        return np.arange(self.cell_count) - np.repeat(self.run_starts, self.run_lengths)

    @property
    def owner(self):
        return np.repeat(self.run_owners, self.run_lengths)

    @property
    def rows(self):
        return np.repeat(self.run_rows, self.run_lengths)

    @property
    def columns(self):
        return np.repeat(self.run_columns, self.run_lengths) + self._step()

    @property
    def fractions(self):
        fractions = np.ones(self.cell_count, self.run_first.dtype)
        fractions[self.run_starts] = self.run_first
        return fractions

    def window_cells(self, row0, col0, width):
        """Position of each cell in the row-major window whose corner is ``(row0, col0)``."""
        return np.repeat((self.run_rows - row0) * width + self.run_columns - col0, self.run_lengths) + self._step()

    def clip(self, row0, row1, col0, col1):
        """The cells within rows ``row0:row1`` and columns ``col0:col1``."""
        end = np.minimum(self.run_columns + self.run_lengths, col1)
        start = np.maximum(self.run_columns, col0)
        keep = (self.run_rows >= row0) & (self.run_rows < row1) & (end > start)
        # A run cut at its start loses its boundary cell: the rest is wholly covered.
        first = np.where(start > self.run_columns, 1.0, self.run_first).astype(self.run_first.dtype)
        return CellCoverage(self.run_owners[keep], self.run_rows[keep], start[keep], (end - start)[keep], first[keep])


def cell_coverage(geometries, grid, rule=EXACT, single_precision=True):
    """``CellCoverage`` of each polygon of ``geometries`` (in the grid's CRS) on ``grid``.

    Exact fractions are rounded to float32 like exactextract's, unless ``single_precision`` is
    False (QGIS's fallback for units smaller than a cell computes them in double precision).
    """
    precision = np.float32 if single_precision else np.float64
    geometries = np.asarray(geometries, dtype=object)
    row0, row1, col0, col1 = grid.cell_box(_bounds(geometries))
    heights = row1 - row0
    widths = col1 - col0
    owner, start, end = _edges(geometries)
    keep = (heights[owner] > 0) & (widths[owner] > 0)
    owner, start, end = owner[keep], start[keep], end[keep]
    # Grid coordinates local to each polygon's box (small numbers keep the fractions precise):
    # u along the columns, v down the rows.
    u_start = (start[:, 0] - grid.left) / grid.cell_width - col0[owner]
    u_end = (end[:, 0] - grid.left) / grid.cell_width - col0[owner]
    v_start = (grid.top - start[:, 1]) / grid.cell_height - row0[owner]
    v_end = (grid.top - end[:, 1]) / grid.cell_height - row0[owner]
    # The scan runs down columns of its own; it is given the grid transposed (its columns are our
    # rows) so that runs of covered cells lie along rows, contiguous in a row-major window.
    heights, widths = widths, heights
    scan = _exact_scan if rule == EXACT else _centre_scan
    entry_owner, column, row, own_cell, rows_above = scan(owner, v_start, u_start, v_end, u_end, heights, widths)
    if len(entry_owner) == 0:
        # No edge crosses a line of centres (a strip thinner than a cell, between two of them).
        nothing = np.zeros(0, np.int64)
        return CellCoverage(nothing, nothing, nothing, nothing, np.zeros(0, precision))

    # One entry per touched cell, sorted by polygon, column and row.
    key = (entry_owner * (int(widths.max(initial=0)) + 1) + column) * (int(heights.max(initial=0)) + 2) + row
    order = np.argsort(key)
    key = key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    entry_owner, column, row = entry_owner[order][first], column[order][first], row[order][first]
    rows_above = np.add.reduceat(rows_above[order], first) if len(first) else rows_above[:0]
    own_cell = None if own_cell is None else (np.add.reduceat(own_cell[order], first) if len(first) else own_cell[:0])

    # What a cell receives from the entries below it in its column (inclusive of its own row):
    # a running sum from the end, less the running sum where the column ends.
    new_column = np.r_[True, (entry_owner[1:] != entry_owner[:-1]) | (column[1:] != column[:-1])]
    column_number = np.cumsum(new_column) - 1
    running = np.cumsum(rows_above[::-1])[::-1]
    column_end = np.r_[np.flatnonzero(new_column)[1:], len(running)]
    running_after_column = np.r_[running, 0.0][column_end]
    from_below = running - running_after_column[column_number]
    same_column_next = np.r_[~new_column[1:], False]
    next_from_below = np.r_[from_below[1:], 0.0]
    # Cells between an entry and the next one in its column are wholly inside or outside.
    gap = np.where(same_column_next, np.r_[row[1:], 0] - row - 1, 0)
    if own_cell is not None:
        values = (own_cell + from_below - rows_above) * _ORIENTATION
        inside_gap = next_from_below * _ORIENTATION > 0.5
    else:
        # Winding number at the centres of the cells from this entry's row to the next entry's.
        values = next_from_below
        inside_gap = np.abs(next_from_below) > 0.5
    gap = np.where(inside_gap & same_column_next, gap, 0)
    if own_cell is None:
        # The entry's row itself is part of the run that follows it.
        run_rows, run_length = row, np.where(np.abs(values) > 0.5, gap + 1, 0)
        run_first = np.ones(len(row), precision)
    else:
        noise = NEGLIGIBLE * np.maximum(np.maximum(heights, widths), 1)[entry_owner]
        covered = values > noise
        # A boundary cell covered by nothing but noise starts no run: its gap (if inside) does.
        run_rows, run_length = np.where(covered, row, row + 1), np.where(covered, gap + 1, gap)
        run_first = np.where(covered, np.minimum(values, 1.0), 1.0).astype(precision)
    runs = np.flatnonzero(run_length > 0)
    run_owner = entry_owner[runs]
    # The scan's columns are our rows, its rows our columns.
    return CellCoverage(run_owner, row0[run_owner] + column[runs], col0[run_owner] + run_rows[runs], run_length[runs], run_first[runs])


def _bounds(geometries):
    bounds = shapely.bounds(geometries)
    return np.where(np.isfinite(bounds), bounds, 0.0)


def _edges(geometries):
    """Every ring segment, exteriors counter-clockwise and holes clockwise: owner, start, end.

    Orientation is fixed here rather than with ``shapely.orient_polygons``, which needs GEOS 3.12:
    inside qgis_process shapely's GEOS calls may resolve to QGIS's older GEOS.
    """
    parts, part_owner = shapely.get_parts(geometries, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    exterior = np.r_[True, ring_part[1:] != ring_part[:-1]] if len(ring_part) else np.zeros(0, bool)
    coordinates, ring = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring[1:] == ring[:-1]
    start, end, edge_ring = coordinates[:-1][same_ring], coordinates[1:][same_ring], ring[:-1][same_ring]
    # Twice the signed area of each ring (shoelace), relative to a vertex of the ring for precision.
    new_ring = np.r_[True, edge_ring[1:] != edge_ring[:-1]] if len(edge_ring) else np.zeros(0, bool)
    origin = start[new_ring][np.cumsum(new_ring) - 1]
    local_start, local_end = start - origin, end - origin
    twice_area = np.bincount(edge_ring, weights=local_start[:, 0] * local_end[:, 1] - local_end[:, 0] * local_start[:, 1], minlength=len(rings))
    wrong_way = np.where(exterior, twice_area < 0, twice_area > 0)[edge_ring]
    start, end = np.where(wrong_way[:, None], end, start), np.where(wrong_way[:, None], start, end)
    owner = part_owner[ring_part[edge_ring]]
    return owner.astype(np.int64), start, end


def _integers_between(low, high):
    """First integer strictly above ``low`` and how many integers lie strictly between."""
    first = np.floor(low) + 1
    count = np.maximum(np.ceil(high) - first, 0).astype(np.int64)
    return first, count


def _expand(first, count):
    """For each item, ``first``, ``first + 1`` … (``count`` values): item numbers and values."""
    item = np.repeat(np.arange(len(count)), count)
    step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return item, first[item] + step


def _split(owner, a_start, b_start, a_end, b_end):
    """Cut segments where coordinate ``a`` crosses an integer: the pieces, in the segments'
    direction (pieces come out in no particular order; only their sum per cell matters)."""
    low, high = np.minimum(a_start, a_end), np.maximum(a_start, a_end)
    first, count = _integers_between(low, high)
    points = count + 2
    offset = np.cumsum(points) - points
    total = int(points.sum())
    a = np.empty(total)
    b = np.empty(total)
    forward = a_end >= a_start
    # Each segment's points from its low end to its high end: low end, crossings, high end.
    a[offset] = low
    b[offset] = np.where(forward, b_start, b_end)
    a[offset + points - 1] = high
    b[offset + points - 1] = np.where(forward, b_end, b_start)
    segment, crossing = _expand(first, count)
    inner = np.repeat(offset + 1, count) + (np.arange(len(segment)) - np.repeat(np.cumsum(count) - count, count))
    a[inner] = crossing
    with np.errstate(divide="ignore", invalid="ignore"):
        b[inner] = b_start[segment] + (crossing - a_start[segment]) * (b_end[segment] - b_start[segment]) / (a_end[segment] - a_start[segment])
    starts = np.ones(total, dtype=bool)
    starts[offset + points - 1] = False
    starts = np.flatnonzero(starts)
    piece_segment = np.repeat(np.arange(len(points)), points - 1)
    flip = ~forward[piece_segment]
    a0, b0, a1, b1 = a[starts], b[starts], a[starts + 1], b[starts + 1]
    return owner[piece_segment], np.where(flip, a1, a0), np.where(flip, b1, b0), np.where(flip, a0, a1), np.where(flip, b0, b1)


def _exact_scan(owner, u_start, v_start, u_end, v_end, heights, widths):
    # Cut at the column lines, then the pieces at the row lines: each piece lies in one cell.
    owner, u_start, v_start, u_end, v_end = _split(owner, u_start, v_start, u_end, v_end)
    owner, v_start, u_start, v_end, u_end = _split(owner, v_start, u_start, v_end, u_end)
    width = u_end - u_start
    v_mid = (v_start + v_end) / 2
    column = np.clip(np.floor((u_start + u_end) / 2), 0, widths[owner] - 1).astype(np.int64)
    row = np.clip(np.floor(v_mid), 0, heights[owner] - 1).astype(np.int64)
    return owner, column, row, width * (v_mid - row), width


def _centre_scan(owner, u_start, v_start, u_end, v_end, heights, widths):
    # Columns whose centre line u = c + 0.5 the edge crosses, half-open: low <= c + 0.5 < high.
    low, high = np.minimum(u_start, u_end), np.maximum(u_start, u_end)
    first = np.ceil(low - 0.5)
    count = np.maximum(np.ceil(high - 0.5) - first, 0).astype(np.int64)
    edge, column = _expand(first, count)
    edge_owner = owner[edge]
    v_cross = v_start[edge] + (column + 0.5 - u_start[edge]) * (v_end[edge] - v_start[edge]) / (u_end[edge] - u_start[edge])
    # The crossing counts for the centres strictly above it: rows r with r + 0.5 < v.
    boundary_row = np.clip(np.ceil(v_cross - 0.5), 0, heights[edge_owner]).astype(np.int64)
    column = np.clip(column, 0, widths[edge_owner] - 1).astype(np.int64)
    return edge_owner, column, boundary_row, None, np.sign(u_end[edge] - u_start[edge])
