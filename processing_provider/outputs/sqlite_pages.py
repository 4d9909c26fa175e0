"""Tables given column by column, written by numpy as an SQLite database file, page by page.

Python's sqlite3 costs about half a microsecond for each value it binds, and more for each row
it steps; SQLite copies rows from a table it reads faster. So the GeoPackage writer lays the rows
out here as the pages of a database of their own, attaches it and copies them with
``INSERT … SELECT``.

The format is SQLite's (https://www.sqlite.org/fileformat2.html): a 100-byte header and the
schema table on page 1, then each table as a B-tree of 64 KiB pages (leaves in rowid order,
interior pages above them), records too long for one page continued on overflow pages.

Values are stored as Python's sqlite3 binds them: int (bool too) as INTEGER, float as REAL (NaN
as NULL, as SQLite takes a bound NaN), str as UTF-8 TEXT, bytes and other buffers as BLOB, None
as NULL, any other type first through sqlite3's adapters (a date becomes ISO text) or refused
with ``sqlite3.ProgrammingError``, as binding it would be. The columns have no declared type,
so values stay as stored and the copy applies the target table's column affinities, exactly as
an INSERT of bound values does. Row i has rowid ``FIRST_ROWID + i``: read the rows ORDER BY
rowid, or a range of them by rowid.

This module needs no QGIS: only numpy.
"""

import math
import sqlite3
import struct
from dataclasses import dataclass, field

import numpy as np

PAGE_SIZE = 65536  # the largest SQLite reads: fewer pages, and fewer records overflow
# Row i of a table has rowid FIRST_ROWID + i: three-byte varints for the first two million rows,
# so that most rows share one layout.
FIRST_ROWID = 1 << 14
_LEAF, _INTERIOR = 0x0D, 0x05  # table B-tree page types
_LEAF_HEADER, _INTERIOR_HEADER = 8, 12
_NULL, _INTEGER, _REAL, _BLOB, _TEXT = 0, 6, 7, 12, 13  # serial types (8-byte integer and real)
_PLAIN = frozenset({int, float, str, bytes, type(None)})


@dataclass
class Table:
    """A table to write: ``columns`` maps names to values, lists of Python values or numpy arrays
    of numbers, all of one length. The database names its columns c0, c1… in this order."""

    name: str
    columns: dict = field(default_factory=dict)


def write_database(path, tables, page_size=PAGE_SIZE, progress=None):
    """Write ``tables`` (``Table``) as a new SQLite database file at ``path``, in pages of
    ``page_size`` bytes (a power of two from 512 to 65 536). ``progress(fraction)`` is called
    after each table and may raise to stop."""
    if page_size & (page_size - 1) or not 512 <= page_size <= 65536:
        raise ValueError("SQLite pages are a power of two from 512 to 65536 bytes")
    schema = []
    with open(path, "wb") as file:
        file.write(bytes(page_size))  # page 1, written last: it names every table's root page
        next_page = 2
        for number, table in enumerate(tables, start=1):
            root, next_page, order = _write_table(file, table, next_page, page_size)
            names = ", ".join(f"c{position}" for position in order)  # as stored, named as given
            schema.append((table.name, root, f'CREATE TABLE "{table.name}" ({names})'))
            if progress is not None:
                progress(number / len(tables))
        file.seek(0)
        file.write(_first_page(schema, next_page - 1, page_size))


def _write_table(file, table, first_page, page_size):
    """Write ``table``'s pages from page ``first_page`` on: leaves, overflow pages, interior
    pages. Returns its root page, the next free page and the columns' positions as stored."""
    if not table.columns:
        raise ValueError(f"{table.name} has no column")
    encoded = [_encoded(values) for values in table.columns.values()]
    count = len(encoded[0].serials)
    if any(len(column.serials) != count for column in encoded):
        raise ValueError(f"the columns of {table.name} are not of one length")
    # In each record the values numpy lays out with the record header (numbers, NULL, texts of one
    # length) come first; other texts and blobs follow, as the bytes objects they already are.
    order = sorted(range(len(encoded)), key=lambda position: encoded[position].pieces is not None)
    fixed = [encoded[position] for position in order if encoded[position].pieces is None]
    variable = [encoded[position] for position in order if encoded[position].pieces is not None]
    serial_parts = [_varints(encoded[position].serials) for position in order]
    header_body = sum((lengths for _, lengths in serial_parts), np.zeros(count, np.int64))
    header_size = header_body + 1
    while True:  # the header's size counts its own varint
        settled = header_body + _varints(header_size)[1]
        if np.array_equal(settled, header_size):
            break
        header_size = settled
    variable_lengths = sum((column.lengths for column in variable), np.zeros(count, np.int64))
    fixed_lengths = sum((column.lengths for column in fixed), np.zeros(count, np.int64))
    payload = header_size + fixed_lengths + variable_lengths
    rowids = np.arange(FIRST_ROWID, FIRST_ROWID + count, dtype=np.int64)
    prefixes, prefix_lengths = _concatenated([_varints(payload), _varints(rowids), _varints(header_size), *serial_parts,
                                              *((column.fixed, column.lengths) for column in fixed)])
    cell_sizes = prefix_lengths + variable_lengths
    # A record longer than max_local keeps min_local bytes or more in its leaf and continues on
    # overflow pages (the file format's X and M; no reserved bytes).
    max_local, min_local, overflow_room = page_size - 35, (page_size - 12) * 32 // 255 - 23, page_size - 4
    overflowing = np.flatnonzero(payload > max_local)
    locals_ = payload.copy()
    if len(overflowing):
        spill = min_local + (payload[overflowing] - min_local) % overflow_room
        locals_[overflowing] = np.where(spill <= max_local, spill, min_local)
        # The cell: its two varints, the payload's first bytes, the first overflow page.
        cell_sizes[overflowing] = (prefix_lengths - header_size - fixed_lengths)[overflowing] + locals_[overflowing] + 4
    pieces = np.empty((count, 1 + len(variable)), dtype=object)
    pieces[:, 0] = _rows_as_bytes(prefixes, prefix_lengths)
    for slot, column in enumerate(variable, start=1):
        pieces[:, slot] = column.pieces
    leaves = _pack(cell_sizes + 2, page_size - _LEAF_HEADER)
    next_page = first_page + len(leaves)
    overflow_pages = []
    for row in overflowing.tolist():
        record = b"".join(pieces[row].tolist())
        cell_start = len(record) - int(payload[row])  # the payload-size and rowid varints
        local_end = cell_start + int(locals_[row])
        rest = record[local_end:]
        chain = list(range(next_page, next_page + -(-len(rest) // overflow_room)))
        pieces[row, 0] = record[:local_end] + chain[0].to_bytes(4, "big")
        pieces[row, 1:] = b""
        for position, page in enumerate(chain):
            following = chain[position + 1] if position + 1 < len(chain) else 0
            chunk = rest[position * overflow_room:(position + 1) * overflow_room]
            overflow_pages.append(following.to_bytes(4, "big") + chunk + bytes(overflow_room - len(chunk)))
        next_page += len(chain)
    for start, end in leaves:
        file.write(_page(_LEAF, cell_sizes[start:end], pieces[start:end].ravel().tolist(), page_size))
    for page in overflow_pages:
        file.write(page)
    # Interior levels until one page holds them all: each child with the largest rowid under it.
    children = list(range(first_page, first_page + len(leaves)))
    largest = [int(rowids[end - 1]) if end > start else 0 for start, end in leaves]
    while len(children) > 1:
        keys = _varints(np.asarray(largest[:-1], dtype=np.int64))
        cell_costs = 2 + 4 + keys[1]
        groups = _pack(np.append(cell_costs, 0), page_size - _INTERIOR_HEADER, keep_last_apart=True)
        if len(groups) > 1 and groups[-1][1] - groups[-1][0] == 1:
            # An interior page of one child and no cell is corrupt to SQLite: the page before
            # gives it one child (its own cells are then one fewer, and still fit).
            (start, end), (_, last_end) = groups[-2], groups[-1]
            groups[-2:] = [(start, end - 1), (end - 1, last_end)]
        parents, parent_largest = [], []
        for start, end in groups:
            # The page's last child is its right-most pointer, with no cell of its own.
            cells = [children[child].to_bytes(4, "big") + keys[0][child, :keys[1][child]].tobytes() for child in range(start, end - 1)]
            file.write(_page(_INTERIOR, list(map(len, cells)), cells, page_size, right_most=children[end - 1]))
            parents.append(next_page)
            parent_largest.append(largest[end - 1])
            next_page += 1
        children, largest = parents, parent_largest
    return children[0], next_page, order


@dataclass
class _Encoded:
    """A column as stored: each row's serial type, then either its value bytes laid out by numpy
    (``fixed``, rows × width, of which ``lengths`` are used) or its bytes objects (``pieces``)."""

    serials: np.ndarray
    lengths: np.ndarray
    fixed: np.ndarray = None
    pieces: list = None


def _encoded(values):
    """``values`` (a list of Python values, or a numpy array of numbers) as stored by SQLite."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        if values.dtype.kind == "f":
            return _numbers(np.asarray(values, np.float64), None)
        return _numbers(None, np.asarray(values, np.int64))
    values = values if isinstance(values, list) else list(values)
    kinds = set(map(type, values))
    if not kinds <= _PLAIN:
        values = [_adapted(value) for value in values]
        kinds = set(map(type, values))
    if kinds <= {float, type(None)}:
        return _numbers(np.array(values, dtype=np.float64), None)  # None → NaN → NULL
    if kinds == {int}:
        try:
            return _numbers(None, np.array(values, dtype=np.int64))
        except OverflowError:
            raise sqlite3.ProgrammingError("Python int too large to convert to SQLite INTEGER") from None
    if kinds <= {int, float, type(None)}:
        is_float = np.fromiter((type(value) is float for value in values), bool, len(values))
        is_null = np.fromiter((value is None for value in values), bool, len(values))
        reals = np.array([value if type(value) is float else 0.0 for value in values], dtype=np.float64) if is_float.any() else None
        integers = np.array([value if type(value) is int else 0 for value in values], dtype=object)
        try:
            integers = integers.astype(np.int64)
        except OverflowError:
            raise sqlite3.ProgrammingError("Python int too large to convert to SQLite INTEGER") from None
        return _numbers(reals, integers, is_float, is_null)
    return _texts_and_blobs(values)


def _numbers(reals, integers, is_float=None, is_null=None):
    """Columns of numbers: REAL where ``is_float`` (all rows if None and ``reals`` given),
    INTEGER elsewhere, NULL where ``is_null`` or where a REAL is NaN."""
    count = len(reals) if reals is not None else len(integers)
    if is_float is None:
        is_float = np.full(count, reals is not None)
    values = np.zeros(count, ">i8")
    if integers is not None:
        values[:] = integers
    if reals is not None:
        values[is_float] = reals[is_float].astype(">f8").view(">i8")
        nan = np.zeros(count, bool)
        nan[is_float] = np.isnan(reals[is_float])
        is_null = nan if is_null is None else is_null | nan
    serials = np.where(is_float, _REAL, _INTEGER)
    if is_null is not None:
        serials[is_null] = _NULL
    lengths = np.where(serials == _NULL, 0, 8).astype(np.int64)
    return _Encoded(serials.astype(np.int64), lengths, fixed=values.view(np.uint8).reshape(count, 8))


def _texts_and_blobs(values):
    """A column holding text or blobs (and maybe numbers or NULL): one bytes object a row."""
    kinds = set(map(type, values))
    if kinds == {str} and values:
        joined = "".join(values)
        width = len(values[0])
        lengths = np.fromiter(map(len, values), np.int64, len(values))
        if joined.isascii() and (lengths == width).all():
            # Texts of one length, in ASCII (H3 indexes): laid out by numpy with the numbers.
            matrix = np.frombuffer(joined.encode("ascii"), np.uint8).reshape(len(values), width)
            return _Encoded(_TEXT + 2 * lengths, lengths, fixed=matrix)
        try:
            pieces = [value.encode("utf-8") for value in values]
        except UnicodeEncodeError as error:
            raise sqlite3.ProgrammingError(f"text that is not valid Unicode: {error}") from None
        lengths = np.fromiter(map(len, pieces), np.int64, len(pieces))
        return _Encoded(_TEXT + 2 * lengths, lengths, pieces=pieces)
    if kinds == {bytes}:
        lengths = np.fromiter(map(len, values), np.int64, len(values))
        return _Encoded(_BLOB + 2 * lengths, lengths, pieces=list(values))
    serials, pieces = [], []
    for value in values:
        kind = type(value)
        if kind is str:
            try:
                piece = value.encode("utf-8")
            except UnicodeEncodeError as error:
                raise sqlite3.ProgrammingError(f"text that is not valid Unicode: {error}") from None
            serials.append(_TEXT + 2 * len(piece))
        elif kind is bytes:
            piece = value
            serials.append(_BLOB + 2 * len(piece))
        elif kind is int:
            try:
                piece = value.to_bytes(8, "big", signed=True)
            except OverflowError:
                raise sqlite3.ProgrammingError("Python int too large to convert to SQLite INTEGER") from None
            serials.append(_INTEGER)
        elif kind is float and not math.isnan(value):
            piece = struct.pack(">d", value)
            serials.append(_REAL)
        else:  # None, NaN
            piece = b""
            serials.append(_NULL)
        pieces.append(piece)
    lengths = np.fromiter(map(len, pieces), np.int64, len(pieces))
    return _Encoded(np.array(serials, dtype=np.int64), lengths, pieces=pieces)


def _adapted(value):
    """``value`` as Python's sqlite3 would bind it: through a registered adapter, then as the
    base type it is an instance of."""
    if type(value) in _PLAIN:
        return value
    value = sqlite3.adapt(value, sqlite3.PrepareProtocol, value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    try:
        return bytes(memoryview(value))
    except TypeError:
        raise sqlite3.ProgrammingError(f"type '{type(value).__name__}' is not supported") from None


def _varints(values):
    """SQLite varints of ``values`` (integers from 0 to 2**56 − 1): rows × 8 bytes, and the
    length of each (big-endian groups of 7 bits, the high bit set on all but the last)."""
    values = np.asarray(values, dtype=np.int64)
    if len(values) and (values.min() < 0 or values.max() >= 1 << 56):
        raise ValueError("varints here hold 0 to 2**56 - 1")
    lengths = np.ones(len(values), np.int64)
    longest = 1
    for groups in range(1, 8):
        longer = values >= 1 << (7 * groups)
        if not longer.any():
            break
        lengths += longer
        longest += 1
    out = np.zeros((len(values), longest), np.uint8)
    if longest == 1:
        out[:, 0] = values
        return out, lengths
    for position in range(longest):
        shift = 7 * (lengths - 1 - position)  # negative past a varint's end
        group = (values >> np.maximum(shift, 0)) & 0x7F
        out[:, position] = np.where(shift > 0, group | 0x80, np.where(shift == 0, group, 0))
    return out, lengths


def _concatenated(parts):
    """Each row's bytes of ``parts`` (pairs of rows × width bytes and the length used in each
    row) one after the other: rows × total width, and each row's length.

    Rows are taken in groups of one layout (the same lengths part by part), each part of a
    group copied as one block."""
    count = len(parts[0][1])
    width = sum(part.shape[1] for part, _ in parts)
    out = np.zeros((count, max(width, 1)), np.uint8)
    varying = [lengths for _, lengths in parts if len(lengths) and not (lengths == lengths[0]).all()]
    layout = np.zeros(count, np.int64)
    for lengths in varying:
        layout = layout * (int(lengths.max()) + 1) + lengths
        if layout.max() > 1 << 40:
            layout = np.unique(layout, return_inverse=True)[1]
    order = np.argsort(layout, kind="stable")
    bounds = np.flatnonzero(np.diff(layout[order])) + 1
    for rows in np.split(order, bounds) if count else []:
        whole = len(rows) == count
        offset = 0
        for part, lengths in parts:
            length = int(lengths[rows[0]])
            if whole:
                out[:, offset:offset + length] = part[:, :length]
            else:
                out[rows, offset:offset + length] = part[rows, :length]
            offset += length
    total = sum((lengths for _, lengths in parts), np.zeros(count, np.int64))
    return out, total


def _rows_as_bytes(matrix, lengths):
    """Row ``i`` of ``matrix``, its first ``lengths[i]`` bytes, as one bytes object each."""
    out = np.empty(len(lengths), dtype=object)
    for length in np.unique(lengths).tolist():
        rows = np.flatnonzero(lengths == length)
        block = np.ascontiguousarray(matrix[rows, :length]) if length else np.zeros((len(rows), 0), np.uint8)
        out[rows] = np.frombuffer(block.tobytes(), dtype=f"V{length}").tolist() if length else [b""] * len(rows)
    return out


def _pack(costs, room, keep_last_apart=False):
    """Consecutive runs of ``costs`` that fit in ``room`` each, as (start, end) pairs (one empty
    run if there is nothing). With ``keep_last_apart`` the last item of each run costs nothing
    (an interior page's right-most child)."""
    count = len(costs)
    if not count:
        return [(0, 0)]
    total = np.concatenate([[0], np.cumsum(costs)])
    runs, start = [], 0
    while start < count:
        # The longest run from ``start`` whose costs fit (at least one item).
        end = int(np.searchsorted(total, total[start] + room, side="right")) - 1
        if keep_last_apart:
            end = min(end + 1, count)
        end = max(end, start + 1)
        runs.append((start, min(end, count)))
        start = runs[-1][1]
    return runs


def _page(kind, cell_sizes, pieces, page_size, right_most=None, offset=0):
    """A B-tree page: header, cell pointers, free space, then the cells, in order, up to the
    page's end (``pieces``: the cells' bytes one after the other, ``cell_sizes`` each cell's
    length), with the right-most child of an interior page; ``offset``: where the header starts
    (100 on page 1, after the file header)."""
    cell_sizes = np.asarray(cell_sizes, dtype=np.int64)
    count = len(cell_sizes)
    content = int(cell_sizes.sum())
    start = page_size - content
    pointers = (start + np.cumsum(cell_sizes) - cell_sizes).astype(">u2")
    header = bytes([kind, 0, 0]) + count.to_bytes(2, "big") + (start % 65536).to_bytes(2, "big") + b"\x00"
    if kind == _INTERIOR:
        header += right_most.to_bytes(4, "big")
    gap = page_size - offset - len(header) - 2 * count - content
    if gap < 0:
        raise ValueError("cells do not fit in one page")
    return b"".join([header, pointers.tobytes(), bytes(gap), *pieces])


def _first_page(schema, page_count, page_size):
    """Page 1: the file header, then the schema table (one leaf) naming each table's root."""
    cells = []
    for rowid, (name, root, sql) in enumerate(schema, start=1):
        texts = [value.encode("utf-8") for value in ("table", name, name)]
        sql_bytes = sql.encode("utf-8")
        serials = [_TEXT + 2 * len(text) for text in texts] + [_INTEGER, _TEXT + 2 * len(sql_bytes)]
        serial_bytes = b"".join(_varint(serial) for serial in serials)
        header = _varint(len(serial_bytes) + 1) + serial_bytes
        if len(header) != len(serial_bytes) + 1:
            raise ValueError("a schema row's header is too long")
        record = header + b"".join(texts) + root.to_bytes(8, "big") + sql_bytes
        cells.append(_varint(len(record)) + _varint(rowid) + record)
    version = sqlite3.sqlite_version_info
    file_header = b"".join([
        b"SQLite format 3\x00",
        (page_size % 65536 or 1).to_bytes(2, "big"),  # 65 536 is written 1
        bytes([1, 1, 0, 64, 32, 32]),  # legacy journal, no reserved bytes, payload fractions
        (1).to_bytes(4, "big"),  # change counter
        page_count.to_bytes(4, "big"),
        bytes(8),  # no free pages
        (1).to_bytes(4, "big"),  # schema cookie
        (4).to_bytes(4, "big"),  # schema format
        bytes(8),  # default cache size; no auto-vacuum
        (1).to_bytes(4, "big"),  # UTF-8
        bytes(32),  # user version, incremental vacuum, application id, 20 reserved bytes
        (1).to_bytes(4, "big"),  # the page count is valid for this change counter
        (version[0] * 1_000_000 + version[1] * 1000 + version[2]).to_bytes(4, "big"),
    ])
    return file_header + _page(_LEAF, list(map(len, cells)), cells, page_size, offset=100)


def _varint(value):
    matrix, lengths = _varints(np.array([value]))
    return matrix[0, :lengths[0]].tobytes()
