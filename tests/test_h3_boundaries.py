"""H3 cell boundaries computed in numpy (``core.sources.h3boundaries``) against h3's own
``cell_to_boundary``, cell by cell: random cells over the whole globe at every resolution, cells
carried onto a neighbouring face, and the cells h3 itself must draw (pentagons, cells across a
face's edge)."""

import h3
import h3._cy as h3_cy
import numpy as np
import pytest

from geoindicators.core.sources import h3boundaries
from geoindicators.core.sources.h3boundaries import cell_vertices, shared_vertices

EARTH_RADIUS = 6371007.0


def h3_vertices(cells):
    boundaries = [h3_cy.cell_to_boundary(int(cell)) for cell in cells]
    counts = np.array([len(boundary) for boundary in boundaries])
    points = np.array([point for boundary in boundaries for point in boundary])
    return points[:, 0], points[:, 1], counts


def distances(lat_a, lon_a, lat_b, lon_b):
    """Metres between points on the sphere, for points a hair apart (a longitude step of 360 is none)."""
    step = np.abs(lon_a - lon_b)
    step = np.minimum(step, 360.0 - step)
    return EARTH_RADIUS * np.hypot(np.radians(lat_a - lat_b), np.radians(step) * np.cos(np.radians(lat_b)))


def random_cells(resolution, count, seed):
    rng = np.random.default_rng(seed)
    latitudes = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, count)))
    longitudes = rng.uniform(-180.0, 180.0, count)
    return np.array([h3_cy.latlng_to_cell(lat, lon, resolution) for lat, lon in zip(latitudes, longitudes)], dtype=np.uint64)


def numpy_share(cells, resolution):
    return h3boundaries._hexagon_vertices(cells, resolution)[3].mean()


@pytest.mark.parametrize("resolution", range(16))
def test_vertices_are_h3s_over_the_whole_globe(resolution):
    cells = random_cells(resolution, 4000, seed=resolution)
    lat, lon, counts = cell_vertices(cells)
    expected_lat, expected_lon, expected_counts = h3_vertices(cells)
    np.testing.assert_array_equal(counts, expected_counts)
    # Within a micrometre; the last digits differ only where h3's own asin is ill-conditioned (poles).
    assert distances(lat, lon, expected_lat, expected_lon).max() < 1e-6
    away_from_poles = np.abs(expected_lat) < 70.0
    assert np.abs(lat - expected_lat)[away_from_poles].max() < 1e-12
    # h3 itself draws only cells of pentagon base cells and along face edges (wide at coarse resolutions).
    assert numpy_share(cells, resolution) > {0: 0.1, 1: 0.5, 2: 0.7, 3: 0.85}.get(resolution, 0.9)


@pytest.mark.parametrize("resolution", [2, 5, 8, 9, 12])
def test_centres_carried_onto_the_neighbouring_face(resolution):
    # Cells of base cells that straddle a face's edge, on the far side: their home face's overage.
    cells = random_cells(resolution, 6000, seed=100 + resolution)
    x, y, face = cells_on_home_face(cells, resolution)
    moved = h3boundaries._onto_own_face(x, y, face, base_cells(cells), resolution)[2] != face
    assert moved.sum() > 50
    lat, lon, counts = cell_vertices(cells[moved])
    expected_lat, expected_lon, expected_counts = h3_vertices(cells[moved])
    np.testing.assert_array_equal(counts, expected_counts)
    assert distances(lat, lon, expected_lat, expected_lon).max() < 1e-6


def base_cells(cells):
    return ((cells >> np.uint64(45)) & np.uint64(127)).astype(np.intp)


def cells_on_home_face(cells, resolution):
    """Each cell's centre on its base cell's home face, before any overage (h3's digit loop, by hand)."""
    x, y, face = [], [], []
    for cell in cells.tolist():
        home = h3boundaries.BASE_CELL_HOMES[(cell >> 45) & 127]
        i, j, k = home[1:4]
        for level in range(1, resolution + 1):
            if level % 2:
                i, j, k = 3 * i + j, 3 * j + k, i + 3 * k
            else:
                i, j, k = 3 * i + k, i + 3 * j, j + 3 * k
            digit = (cell >> (3 * (15 - level))) & 7
            if 0 < digit < 7:
                i, j, k = i + ((digit >> 2) & 1), j + ((digit >> 1) & 1), k + (digit & 1)
        x.append(i - k)
        y.append(j - k)
        face.append(home[0])
    return np.array(x), np.array(y), np.array(face)


@pytest.mark.parametrize("resolution", [1, 3, 6, 9])
def test_pentagons_and_cells_across_face_edges_are_h3s(resolution):
    cells = np.array(sorted({h3.str_to_int(cell) for pentagon in h3.get_pentagons(resolution) for cell in h3.grid_disk(pentagon, 3)}), dtype=np.uint64)
    lat, lon, counts = cell_vertices(cells)
    expected_lat, expected_lon, expected_counts = h3_vertices(cells)
    np.testing.assert_array_equal(counts, expected_counts)
    assert distances(lat, lon, expected_lat, expected_lon).max() < 1e-6
    # Class II pentagons have 5 vertices; class III cells across a face's edge get extra ones.
    assert (counts > 6).any() if resolution % 2 else (counts == 5).any()


def test_neighbours_share_their_vertices_exactly():
    # Cells drawn here meet without a gap: a vertex is a function of its place on the face's grid.
    centre = h3.latlng_to_cell(-21.5, 165.5, 9)
    cells = np.array([h3.str_to_int(cell) for cell in h3.grid_disk(centre, 4)], dtype=np.uint64)
    lat, lon, counts = cell_vertices(cells)
    assert (counts == 6).all()
    points = {}
    for point in zip(lat.tolist(), lon.tolist()):
        points[point] = points.get(point, 0) + 1
    # 61 hexagons: 150 distinct vertices when shared ones coincide bit for bit (366 otherwise).
    assert len(cells) == 61
    assert len(points) == 150
    assert max(points.values()) == 3
    # shared_vertices gives each of them once, and each cell's vertices in h3's order.
    shared_lat, shared_lon, point_of_vertex, _counts = shared_vertices(cells)
    assert len(shared_lat) == 150
    np.testing.assert_array_equal(shared_lat[point_of_vertex], lat)
    np.testing.assert_array_equal(shared_lon[point_of_vertex], lon)


def test_one_resolution_or_several_and_no_cells():
    mixed = np.r_[random_cells(4, 30, seed=1), random_cells(9, 30, seed=2)]
    lat, lon, counts = cell_vertices(mixed)
    expected = h3_vertices(mixed)
    np.testing.assert_array_equal(counts, expected[2])
    assert distances(lat, lon, expected[0], expected[1]).max() < 1e-6
    lat, lon, counts = cell_vertices(np.zeros(0, np.uint64))
    assert len(lat) == len(lon) == len(counts) == 0


@pytest.mark.parametrize("with_pentagon", [False, True])
def test_rings_are_closed_and_whole_across_the_antimeridian(with_pentagon):
    from geoindicators.core.sources.h3cells import boundary_rings

    # Fiji's cells across the antimeridian (hexagons: rings of one length), and with a pentagon's
    # (drawn by h3): rings of 6, 5 and more vertices.
    near_fiji = h3.grid_disk(h3.latlng_to_cell(-16.5, 179.95, 5), 3)
    around_pentagon = h3.grid_disk(h3.get_pentagons(5)[0], 2) if with_pentagon else []
    cells = np.array([h3.str_to_int(cell) for cell in near_fiji + around_pentagon], dtype=np.uint64)
    rings = boundary_rings(cells)
    expected_lat, expected_lon, counts = h3_vertices(cells)
    np.testing.assert_array_equal(np.diff(rings.offsets), counts + 1)
    starts, ends = rings.offsets[:-1], rings.offsets[1:] - 1
    np.testing.assert_array_equal(rings.coordinates[starts], rings.coordinates[ends])
    open_rings = np.delete(rings.coordinates, ends, axis=0)
    np.testing.assert_allclose(open_rings[:, 1], expected_lat, atol=1e-12)
    np.testing.assert_allclose((open_rings[:, 0] - expected_lon + 180.0) % 360.0 - 180.0, 0.0, atol=1e-12)
    spans = np.maximum.reduceat(rings.coordinates[:, 0], starts) - np.minimum.reduceat(rings.coordinates[:, 0], starts)
    assert spans.max() < 5.0  # no cell drawn across the globe
    assert (rings.coordinates[:, 0] > 180.0).any()  # the eastern vertices of cells across 180° kept beside the others
    # The shared points behind the rings, from -180 to 180.
    np.testing.assert_allclose((rings.points[rings.point_of] - rings.coordinates + 180.0)[:, 0] % 360.0 - 180.0, 0.0, atol=1e-9)
    np.testing.assert_array_equal(rings.points[rings.point_of][:, 1], rings.coordinates[:, 1])


@pytest.mark.parametrize("resolution", [5, 10, 15])
def test_parents_are_h3s(resolution):
    cells = random_cells(resolution, 500, seed=7)
    for coarse in range(resolution + 1):
        expected = [h3_cy.cell_to_parent(int(cell), coarse) for cell in cells]
        np.testing.assert_array_equal(h3boundaries.cell_parents(cells, coarse), np.array(expected, dtype=np.uint64))
