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

from dataclasses import dataclass

import numpy as np
import shapely

EXACT = "exact"
CENTRE = "centre"
# Fractions below this many cells per cell of the box's side are rounding noise, not coverage.
NEGLIGIBLE = 1e-14
# In grid coordinates (columns right, rows down) the orientation of rings is mirrored.
_ORIENTATION = 1.0


@dataclass
class CellCoverage:
    """Covered cells, polygon by polygon (``owner`` is the polygon's position in the batch,
    ascending): global ``rows`` and ``columns`` (possibly outside the raster) and the fraction of
    each cell covered (in (0, 1]; 1 for every cell counted by the pixel-centre rule)."""

    owner: np.ndarray
    rows: np.ndarray
    columns: np.ndarray
    fractions: np.ndarray

    def subset(self, keep):
        return CellCoverage(self.owner[keep], self.rows[keep], self.columns[keep], self.fractions[keep])


def box_cells(geometries, grid):
    """Cells each polygon's box spans, as the scan counts them (one spare row per column)."""
    row0, row1, col0, col1 = grid.cell_box(_bounds(geometries))
    return (row1 - row0 + 1) * (col1 - col0)


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
    scan = _exact_scan if rule == EXACT else _centre_scan
    entry_owner, column, row, own_cell, rows_above = scan(owner, u_start, v_start, u_end, v_end, heights, widths)

    # One entry per touched cell, sorted by polygon, column and row.
    key = (entry_owner * (int(widths.max(initial=0)) + 1) + column) * (int(heights.max(initial=0)) + 2) + row
    order = np.argsort(key, kind="stable")
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
        run_rows, run_length = row, gap + 1
        noise = NEGLIGIBLE * np.maximum(np.maximum(heights, widths), 1)[entry_owner]
        run_first = np.where(values > noise, np.minimum(values, 1.0), 0.0).astype(precision)
    entry, cell_row = _expand(run_rows, run_length)
    fractions = np.ones(len(entry), precision)
    run_start = np.cumsum(run_length) - run_length
    fractions[run_start[run_length > 0]] = run_first[run_length > 0]
    covered = fractions > 0
    entry, cell_row, fractions = entry[covered], cell_row[covered], fractions[covered]
    cell_owner = entry_owner[entry]
    return CellCoverage(cell_owner, row0[cell_owner] + cell_row, col0[cell_owner] + column[entry], fractions)


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


def _exact_scan(owner, u_start, v_start, u_end, v_end, heights, widths):
    du, dv = u_end - u_start, v_end - v_start
    edge_count = len(owner)
    first_u, count_u = _integers_between(np.minimum(u_start, u_end), np.maximum(u_start, u_end))
    first_v, count_v = _integers_between(np.minimum(v_start, v_end), np.maximum(v_start, v_end))
    edge_u, crossing_u = _expand(first_u, count_u)
    edge_v, crossing_v = _expand(first_v, count_v)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_u = (crossing_u - u_start[edge_u]) / du[edge_u]
        t_v = (crossing_v - v_start[edge_v]) / dv[edge_v]
    edge = np.concatenate([np.arange(edge_count), np.arange(edge_count), edge_u, edge_v])
    t = np.concatenate([np.zeros(edge_count), np.ones(edge_count), t_u, t_v])
    order = np.lexsort((t, edge))
    edge, t = edge[order], t[order]
    piece = np.flatnonzero((edge[1:] == edge[:-1]) & (t[1:] > t[:-1]))
    edge_of = edge[piece]
    t_low, t_high = t[piece], t[piece + 1]
    u_low = u_start[edge_of] + t_low * du[edge_of]
    u_high = u_start[edge_of] + t_high * du[edge_of]
    v_mid = v_start[edge_of] + (t_low + t_high) / 2 * dv[edge_of]
    piece_owner = owner[edge_of]
    column = np.clip(np.floor((u_low + u_high) / 2), 0, widths[piece_owner] - 1).astype(np.int64)
    row = np.clip(np.floor(v_mid), 0, heights[piece_owner] - 1).astype(np.int64)
    width = u_high - u_low
    return piece_owner, column, row, width * (v_mid - row), width


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
