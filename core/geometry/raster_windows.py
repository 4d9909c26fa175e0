"""Reading a raster under many polygons without reading it whole: batches of neighbouring polygons
whose joint window holds at most a budget of cells, polygons larger than the budget cut into strips
of whole rows, and the window of rows and columns under a batch. Zonal statistics and the raster
weights of areal interpolation read rasters this way."""

import numpy as np
import shapely


def raster_window(pieces, grid):
    """Rows and columns ``(row0, row1, col0, col1)`` of the raster under the pieces' boxes, and
    whether the boxes reach beyond the raster; None when no cell of the raster is under them."""
    box = tuple(int(value) for value in grid.cell_box(shapely.total_bounds(pieces)))
    row0, row1 = max(box[0], 0), min(box[1], grid.rows)
    col0, col1 = max(box[2], 0), min(box[3], grid.columns)
    if row0 >= row1 or col0 >= col1:
        return None
    return (row0, row1, col0, col1), (row0, row1, col0, col1) != box


def cut_into_strips(geometries, grid, budget):
    """Units whose box exceeds ``budget`` cells are cut into strips of whole rows that fit."""
    row0, row1, col0, col1 = grid.cell_box(shapely.bounds(geometries))
    cells = (row1 - row0 + 1) * (col1 - col0)
    if not (cells > budget).any():
        return np.asarray(geometries, dtype=object), np.arange(len(geometries), dtype=np.int64)
    pieces, owners = [], []
    for position, geometry in enumerate(geometries):
        if cells[position] <= budget:
            pieces.append(geometry)
            owners.append(position)
            continue
        strip_rows = max(1, budget // max(1, col1[position] - col0[position]) - 1)
        xmin, _, xmax, _ = shapely.bounds(geometry)
        for top_row in range(int(row0[position]), int(row1[position]), strip_rows):
            top = grid.top - top_row * grid.cell_height
            bottom = grid.top - min(top_row + strip_rows, int(row1[position])) * grid.cell_height
            strip = shapely.clip_by_rect(geometry, xmin - grid.cell_width, bottom, xmax + grid.cell_width, top)
            if not shapely.is_empty(strip) and shapely.area(strip) > 0:
                pieces.append(strip)
                owners.append(position)
    out = np.empty(len(pieces), dtype=object)
    out[:] = pieces
    return out, np.asarray(owners, dtype=np.int64)


def batches(pieces, grid, budget):
    """Consecutive pieces (neighbours, in Hilbert order) whose joint window fits the budget."""
    row0, row1, col0, col1 = grid.cell_box(shapely.bounds(pieces))
    batch, window = [], None
    for index in range(len(pieces)):
        box = (row0[index], row1[index], col0[index], col1[index])
        joined = box if window is None else (min(window[0], box[0]), max(window[1], box[1]), min(window[2], box[2]), max(window[3], box[3]))
        if batch and (joined[1] - joined[0] + 1) * (joined[3] - joined[2]) > budget:
            yield np.asarray(batch)
            batch, joined = [], box
        batch.append(index)
        window = joined
    if batch:
        yield np.asarray(batch)
