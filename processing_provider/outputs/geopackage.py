"""Many features into a GeoPackage layer at once, through SQLite, with a packed spatial index.

Writing through a Processing sink costs about 13 µs a feature (a QgsFeature and a QgsGeometry
made per row, then GDAL 3.6 inserting each row into the R*-tree, one node split after another).
Here Processing's sink still makes the layer (the file, the layer name, the CRS, the fields, as for
any output) but receives no feature; once it is closed, the rows go in through SQLite in one
transaction with the R-tree triggers set aside, and the R-tree is packed once, sort-tile-recursive,
straight into its node tables, as GDAL 3.7's bulk loader does.

The rows go in through Python's sqlite3 (``executemany``), 200 rows a statement (SQL's multi-row
VALUES), in one transaction, a cancel seen between batches of 50 000. Until 2026-12-08 they were
first laid out by numpy as the pages of an SQLite file of our own, then copied by SQLite: a page
codec of our own to keep; the whole write is now 0.8 times its time (``make bench``).

This module needs no QGIS: only sqlite3, numpy and shapely. Its SQLite tables are read from the
file (the GeoPackage's own metadata), never assumed; a layer it cannot fill exactly that way (rows
already in it, a field missing) is left to the sink (``layer_to_fill`` returns None).
"""

import itertools
import sqlite3
from dataclasses import dataclass

import numpy as np
import shapely

# The 40-byte GeoPackage header (magic, version, flags, SRS id, then the XY envelope min x, max x,
# min y, max y: flags 0b011 = little-endian, envelope [minx, maxx, miny, maxy]), and room for the
# 9-byte header that turns a polygon's WKB into a one-part multipolygon's.
_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"),
                    ("min_x", "<f8"), ("max_x", "<f8"), ("min_y", "<f8"), ("max_y", "<f8"), ("multi", "V9")])
_HEADER_SIZE = 40
_ENVELOPE_XY_LITTLE_ENDIAN = 0b011
# WKB of a multi-geometry of one part (little-endian, type, one part), by single type (ISO codes).
_ONE_PART = {shapely.GeometryType.POINT: 4, shapely.GeometryType.LINESTRING: 5, shapely.GeometryType.POLYGON: 6}
_MULTI_NAMES = {"MULTIPOINT": 4, "MULTILINESTRING": 5, "MULTIPOLYGON": 6}
# An R-tree cell: the rowid (or child node), then min x, max x, min y, max y, big-endian as SQLite
# stores them (ext/rtree/rtree.c: "Database Format of R-Tree Tables").
_RTREE_CELL = np.dtype([("id", ">i8"), ("min_x", ">f4"), ("max_x", ">f4"), ("min_y", ">f4"), ("max_y", ">f4")])
_RTREE_NODE_HEADER = np.dtype([("depth", ">u2"), ("count", ">u2")])
_ROWS_PER_BATCH = 50_000
# Rows one INSERT statement holds (multi-row VALUES).
_ROWS_PER_STATEMENT = 200


class NotBulkWritable(Exception):
    """Rows this writer cannot put in as the sink would (feature ids given but not unique
    integers): the caller writes them through the sink instead."""


@dataclass
class Layer:
    """A GeoPackage feature table to fill: its file, table, primary key, geometry column, SRS id,
    the geometry type of that column, and its R-tree table (None without a spatial index)."""

    path: str
    table: str
    key: str
    geometry: str
    srs_id: int
    geometry_type: str
    rtree: str = None


def layer_to_fill(path, table, field_names):
    """The ``Layer`` of ``table`` in the GeoPackage ``path`` (``table`` None: its only feature table)
    when it is empty and has every one of ``field_names``; None otherwise (let a sink write it)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        with connection:
            tables = [row[0] for row in connection.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
            if table is None and len(tables) == 1:
                table = tables[0]
            if table not in tables:
                return None
            found = connection.execute("SELECT column_name, srs_id, upper(geometry_type_name) FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
            if found is None:
                return None
            geometry, srs_id, geometry_type = found
            columns = {row[1]: row[5] for row in connection.execute(f"PRAGMA table_info({_quoted(table)})")}
            keys = [name for name, position in columns.items() if position == 1]
            if len(keys) != 1 or not set(field_names) <= set(columns) or connection.execute(f"SELECT 1 FROM {_quoted(table)} LIMIT 1").fetchone():
                return None
            rtree = f"rtree_{table}_{geometry}"
            has_rtree = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (rtree,)).fetchone() is not None
            return Layer(path, table, keys[0], geometry, srs_id, geometry_type, rtree if has_rtree else None)
    except sqlite3.Error:
        return None
    finally:
        connection.close()


def fill(layer, columns, geometries, progress=None):
    """Write one row per geometry into the empty ``layer``: ``columns`` maps field names to lists of
    Python values (None for NULL) or numpy arrays of numbers; ``geometries`` in the layer's CRS are
    shapely geometries (None or empty for none), or polygons given as closed rings of coordinates,
    one per row (an object with ``coordinates`` and ``offsets``: ring ``i`` is
    ``coordinates[offsets[i]:offsets[i + 1]]``).
    A column named as the layer's primary key (a GeoPackage's ``fid`` read as a field) gives the
    feature ids, as GDAL takes them; they must be distinct integers (``NotBulkWritable``).
    One transaction: on any failure nothing is written. ``progress(fraction)`` is called between
    batches of rows and may raise to stop (a cancel)."""
    multi_type = _MULTI_NAMES.get(layer.geometry_type)
    if hasattr(geometries, "offsets"):
        blobs, bounds = ring_blobs(geometries.coordinates, geometries.offsets, layer.srs_id, multi_type == _MULTI_NAMES["MULTIPOLYGON"])
    else:
        blobs, bounds = geometry_blobs(np.asarray(geometries, dtype=object), layer.srs_id, multi_type)
    count = len(blobs)
    names = [name for name in columns if name != layer.key]
    if any(len(values) != count for values in columns.values()):
        raise ValueError("every column needs one value per geometry")
    keys = None  # 1, 2, 3…: SQLite numbers the rows so, as GDAL would
    if layer.key in columns:
        keys = _python_values(columns[layer.key])
        if not all(type(key) is int for key in keys) or len(set(keys)) != count:
            raise NotBulkWritable(f"the feature ids ({layer.key}) are not distinct integers")
    targets = ([] if keys is None else [layer.key]) + [layer.geometry, *names]
    values = ([] if keys is None else [keys]) + [blobs, *(_python_values(columns[name]) for name in names)]
    indexed = ~np.isnan(bounds[:, 0])
    connection = sqlite3.connect(layer.path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        # The R-tree and feature-count triggers would fire once per row: set aside, then made again.
        triggers = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND sql IS NOT NULL", (layer.table,)).fetchall()
        for name, _sql in triggers:
            connection.execute(f"DROP TRIGGER {_quoted(name)}")
        if keys is None and connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
            connection.execute("DELETE FROM sqlite_sequence WHERE name = ?", (layer.table,))  # from 1, whatever came before
        # Batches of rows, so that a cancel is seen between them.
        for start in range(0, count, _ROWS_PER_BATCH):
            end = min(start + _ROWS_PER_BATCH, count)
            _insert(connection, layer.table, targets, [column[start:end] for column in values])
            if progress is not None:
                progress(0.9 * end / count)
        if layer.rtree is not None:
            # The node size SQLite chose when it made the R-tree: its root's length.
            node_size = connection.execute(f"SELECT length(data) FROM {_quoted(layer.rtree + '_node')} WHERE nodeno = 1").fetchone()[0]
            ids = np.arange(1, count + 1) if keys is None else np.asarray(keys, dtype=np.int64)
            for suffix, rtree_columns in packed_rtree(node_size, ids[indexed], bounds[indexed]):
                connection.execute(f"DELETE FROM {_quoted(layer.rtree + suffix)}")
                _insert(connection, layer.rtree + suffix, list(rtree_columns), [_python_values(column) for column in rtree_columns.values()])
        for _name, sql in triggers:
            connection.execute(sql)
        _update_metadata(connection, layer, bounds[indexed], count)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()
    if progress is not None:
        progress(1.0)


def _python_values(values):
    """``values`` as a list of Python values, which sqlite3 binds (it refuses numpy's scalars)."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _insert(connection, table, target_columns, columns):
    """One row per position of ``columns`` (lists, one per name of ``target_columns``) into ``table``.

    Each statement run costs Python's sqlite3 more than binding its values (and a GeoPackage's
    AUTOINCREMENT key updates sqlite_sequence after each), so one statement inserts many rows
    (SQL's multi-row VALUES): half the time of a statement per row. A column that holds one
    integer, text or NULL throughout (an H3 grid's resolution) is written into the statement
    instead of bound. The first column is always bound (it gives the rows their number)."""
    literals = [None] + [_literal_of_constant(column) for column in columns[1:]]
    bound = [column for column, literal in zip(columns, literals) if literal is None]
    row = "(" + ", ".join("?" if literal is None else literal for literal in literals) + ")"
    into = f"INSERT INTO {_quoted(table)} ({', '.join(map(_quoted, target_columns))}) VALUES "
    # At most 999 values bound per statement: the limit of SQLite before 3.32.
    per_statement = max(1, min(_ROWS_PER_STATEMENT, 999 // len(bound)))
    count = len(columns[0])
    rows = zip(*bound)
    whole = count - count % per_statement
    values = itertools.chain.from_iterable(itertools.islice(rows, whole))
    connection.executemany(into + ", ".join([row] * per_statement), zip(*[values] * (per_statement * len(bound))))
    if count > whole:
        connection.execute(into + ", ".join([row] * (count - whole)), tuple(itertools.chain.from_iterable(rows)))


def _literal_of_constant(values):
    """The SQL literal of the one integer, text or NULL every one of ``values`` is; None otherwise
    (floats are always bound: SQLite's reading of a decimal literal need not give the same double)."""
    if not len(values):
        return None
    first = values[0]
    kind = type(first)
    if kind not in (int, str, type(None)) or values.count(first) != len(values) or any(type(value) is not kind for value in values):
        return None
    if first is None:
        return "NULL"
    if kind is int:
        return str(first)
    return None if "\x00" in first else "'" + first.replace("'", "''") + "'"


def geometry_blobs(geometries, srs_id, multi_type=None):
    """GeoPackage geometry blobs (header with the XY envelope, then ISO WKB) for shapely
    ``geometries``, and their bounds (min x, min y, max x, max y; NaN for none or empty). With
    ``multi_type`` (the ISO code of the column's multi type), single parts are written as one-part
    multi-geometries, as GDAL does for such a column."""
    count = len(geometries)
    missing = shapely.is_missing(geometries) | shapely.is_empty(geometries)
    bounds = np.full((count, 4), np.nan)
    present = np.flatnonzero(~missing)
    blobs = [None] * count
    if not len(present):
        return blobs, bounds
    shown = geometries[present]
    bounds[present] = shapely.bounds(shown)
    headers = np.zeros(len(present), _HEADER)
    headers["magic"] = b"GP"
    headers["flags"] = _ENVELOPE_XY_LITTLE_ENDIAN
    headers["srs_id"] = srs_id
    headers["min_x"], headers["max_x"], headers["min_y"], headers["max_y"] = bounds[present, 0], bounds[present, 2], bounds[present, 1], bounds[present, 3]
    sizes = np.full(len(present), _HEADER_SIZE)
    if multi_type is not None:
        kinds = shapely.get_type_id(shown)
        single = np.array([_ONE_PART.get(shapely.GeometryType(kind)) == multi_type for kind in range(8)])[kinds]
        headers["multi"] = np.frombuffer(b"\x01" + np.array([multi_type, 1], "<u4").tobytes(), "V9")[0]
        sizes[single] += 9
    raw = headers.tobytes()
    width = _HEADER.itemsize
    wkbs = shapely.to_wkb(shown, output_dimension=2, byte_order=1).tolist()
    for slot, (position, size, wkb) in enumerate(zip(present.tolist(), sizes.tolist(), wkbs)):
        blobs[position] = raw[slot * width:slot * width + size] + wkb
    return blobs, bounds


def ring_blobs(coordinates, offsets, srs_id, multi=True):
    """GeoPackage blobs of polygons of one closed ring each (ring ``i``: ``coordinates[offsets[i]:
    offsets[i + 1]]``), as one-part multipolygons with ``multi``, and their bounds, made without
    shapely: rings of the same length (the hexagons of a grid) share one record layout, filled
    for all of them at once."""
    counts = np.diff(offsets)
    count = len(counts)
    blobs = [None] * count
    starts = offsets[:-1]
    bounds = np.column_stack([np.minimum.reduceat(coordinates[:, 0], starts), np.minimum.reduceat(coordinates[:, 1], starts),
                              np.maximum.reduceat(coordinates[:, 0], starts), np.maximum.reduceat(coordinates[:, 1], starts)]) if count else np.zeros((0, 4))
    polygon_header = b"\x01\x03\x00\x00\x00\x01\x00\x00\x00"  # little-endian polygon of one ring
    prefix = (b"\x01" + np.array([_MULTI_NAMES["MULTIPOLYGON"], 1], "<u4").tobytes() if multi else b"") + polygon_header
    for length in np.unique(counts).tolist():
        rows = np.flatnonzero(counts == length)
        record = np.dtype([("header", _HEADER.descr[:-1]), ("prefix", f"V{len(prefix)}"), ("points", "<u4"), ("xy", "<f8", (length, 2))])
        records = np.zeros(len(rows), record)
        header = records["header"]
        header["magic"] = b"GP"
        header["flags"] = _ENVELOPE_XY_LITTLE_ENDIAN
        header["srs_id"] = srs_id
        header["min_x"], header["max_x"], header["min_y"], header["max_y"] = bounds[rows, 0], bounds[rows, 2], bounds[rows, 1], bounds[rows, 3]
        records["prefix"] = np.frombuffer(prefix, f"V{len(prefix)}")[0]
        records["points"] = length
        records["xy"] = coordinates[(starts[rows][:, None] + np.arange(length)).ravel()].reshape(len(rows), length, 2)
        # Each record as one bytes object, made in C (tolist of fixed-size raw values).
        made = np.frombuffer(records.tobytes(), dtype=f"V{record.itemsize}").tolist()
        if len(rows) == count:
            return made, bounds
        for position, blob in zip(rows.tolist(), made):
            blobs[position] = blob
    return blobs, bounds


def packed_rtree(node_size, ids, bounds):
    """The tables of an SQLite R-tree of nodes of ``node_size`` bytes holding ``ids`` and their
    ``bounds`` (min x, min y, max x, max y), packed sort-tile-recursive: every node full but the
    last of each level. Pairs of the R-tree table's suffix (_node, _rowid, _parent) and its rows,
    as a column name → values mapping, in key order.

    Boxes are stored in 32-bit floats rounded outwards, as SQLite's own R-tree does, so a box never
    shrinks."""
    capacity = (node_size - _RTREE_NODE_HEADER.itemsize) // _RTREE_CELL.itemsize
    boxes = np.column_stack([_float32_toward(bounds[:, 0], -np.inf), _float32_toward(bounds[:, 2], np.inf),
                             _float32_toward(bounds[:, 1], -np.inf), _float32_toward(bounds[:, 3], np.inf)])
    entries = np.asarray(ids, dtype=np.int64)
    levels = []  # from the leaves up: (entry ids, their boxes), entries in node order, `capacity` per node
    while True:
        order = _tile_order(boxes, capacity)
        entries, boxes = entries[order], boxes[order]
        levels.append((entries, boxes))
        if len(entries) <= capacity:
            break
        starts = np.arange(0, len(entries), capacity)
        boxes = np.column_stack([np.minimum.reduceat(boxes[:, 0], starts), np.maximum.reduceat(boxes[:, 1], starts),
                                 np.minimum.reduceat(boxes[:, 2], starts), np.maximum.reduceat(boxes[:, 3], starts)])
        entries = np.arange(len(starts), dtype=np.int64)  # this level's nodes, numbered below
    # Node numbers: the root is 1, then each level from the top, node after node.
    node_counts = [max(1, -(-len(level[0]) // capacity)) for level in levels]
    first_numbers, number = {}, 1
    for depth in range(len(levels) - 1, -1, -1):
        first_numbers[depth] = number
        number += node_counts[depth]
    node_numbers, node_data, owned, owners = [], [], [], []
    for depth, (level_entries, level_boxes) in enumerate(levels):
        ids_here = level_entries if depth == 0 else first_numbers[depth - 1] + level_entries
        numbers, data = _node_blobs(ids_here, level_boxes, node_counts[depth], first_numbers[depth], capacity, node_size,
                                    len(levels) - 1 if depth == len(levels) - 1 else 0)
        node_numbers.append(numbers)
        node_data.extend(data)
        # Leaves: each rowid's leaf; above: each child node's parent. Entries are in node order,
        # so the owner of the k-th is node first + k // capacity.
        owned.append(ids_here)
        owners.append(first_numbers[depth] + np.arange(len(ids_here)) // capacity)
    nodes = np.concatenate(node_numbers)
    by_node = np.argsort(nodes, kind="stable")
    tables = [("_node", {"nodeno": nodes[by_node], "data": [node_data[position] for position in by_node.tolist()]})]
    for name, columns, entries, entry_owners in (("_rowid", ["rowid", "nodeno"], owned[0], owners[0]),
                                                 ("_parent", ["nodeno", "parentnode"], np.concatenate(owned[1:] or [np.zeros(0, np.int64)]),
                                                  np.concatenate(owners[1:] or [np.zeros(0, np.int64)]))):
        order = np.argsort(entries, kind="stable")  # inserted in key order, as a B-tree likes
        tables.append((name, {columns[0]: entries[order], columns[1]: entry_owners[order]}))
    return tables


def _tile_order(boxes, capacity):
    """Sort-tile-recursive order: vertical slices of whole nodes by centre x, each by centre y."""
    count = len(boxes)
    nodes = max(1, -(-count // capacity))
    per_slice = int(np.ceil(np.sqrt(nodes))) * capacity
    centre_x, centre_y = boxes[:, 0] + boxes[:, 1], boxes[:, 2] + boxes[:, 3]
    slices = np.empty(count, np.int64)
    slices[np.argsort(centre_x, kind="stable")] = np.arange(count) // per_slice
    return np.lexsort((centre_y, slices))


def _node_blobs(ids, boxes, node_count, first_number, capacity, node_size, root_depth):
    """Node numbers and blobs: ``capacity`` cells a node, in order, zero-padded to ``node_size``."""
    cells = np.zeros(node_count * capacity, _RTREE_CELL)
    cells["id"][:len(ids)] = ids
    cells["min_x"][:len(ids)], cells["max_x"][:len(ids)], cells["min_y"][:len(ids)], cells["max_y"][:len(ids)] = boxes.T
    headers = np.zeros(node_count, _RTREE_NODE_HEADER)
    headers["count"] = np.minimum(capacity, len(ids) - np.arange(node_count) * capacity)
    headers["depth"][0] = root_depth  # read from the root only
    data = np.zeros((node_count, node_size), np.uint8)
    data[:, :_RTREE_NODE_HEADER.itemsize] = headers.view(np.uint8).reshape(node_count, -1)
    cell_bytes = capacity * _RTREE_CELL.itemsize
    data[:, _RTREE_NODE_HEADER.itemsize:_RTREE_NODE_HEADER.itemsize + cell_bytes] = cells.view(np.uint8).reshape(node_count, cell_bytes)
    return first_number + np.arange(node_count), np.frombuffer(data.tobytes(), dtype=f"V{node_size}").tolist()


def _float32_toward(values, direction):
    """``values`` as 32-bit floats, rounded toward ``direction`` where they are not exact."""
    single = values.astype(np.float32)
    off = single > values if direction < 0 else single < values
    single[off] = np.nextafter(single[off], np.float32(direction))
    return single


def _update_metadata(connection, layer, bounds, count):
    """The layer's extent and change time in gpkg_contents, and GDAL's feature count."""
    if len(bounds):
        extent = (float(bounds[:, 0].min()), float(bounds[:, 1].min()), float(bounds[:, 2].max()), float(bounds[:, 3].max()))
        connection.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                           "WHERE table_name = ?", (*extent, layer.table))
    has_counts = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_ogr_contents'").fetchone()
    if has_counts:
        connection.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = lower(?)", (count, layer.table))


def _quoted(name):
    return '"' + str(name).replace('"', '""') + '"'

