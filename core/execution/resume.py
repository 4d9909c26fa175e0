"""Resume and incremental runs: compute only the units whose result can have changed.

Each unit has three fingerprints: of its geometry (``unit_hash``), of the inputs near it
(``input_hash``: the digests of the thematic features or sources whose boxes meet its box, sorted,
or the cells of the raster window under it) and of the indicator's settings and code version
(``params_hash``). A state store (``warehouse.facts.PostgresState``) keeps, per unit, these and
the unit's part of the chunk's partial result; ``runner.run`` reads it before computing, skips
the units whose fingerprints are unchanged, computes the others in chunks and saves each chunk's
units as the chunk finishes (one transaction), then reduces the saved parts and the new ones
together. Totals that span units (a class's share, parents) come from that reduce, so any
sequence of interrupted, resumed and incremental runs gives what a fresh run gives.

Parts are stored as JSON (numbers as exact binary, classes as their labels, features by content
keys), never pickled: a database row cannot run code here. Class codes are replaced by labels
because a new class renumbers the codes; feature keys are digests of the feature's content (and
its rank among identical features) because positions and FIDs shift when features are added.
"""

import base64
import hashlib
import json

import numpy as np
import pandas as pd
import shapely

from ..model.errors import InputError
from ..geometry.wkb import geometries_to_wkb

# Bumped when the parts' format or what a part holds changes: older states are then recomputed.
PARTS_FORMAT = 1
# The share of a round's progress bar given to the fingerprints.
FINGERPRINT_SHARE = 0.1


class StateUnreadable(InputError):
    """A stored part that does not decode (a state row changed by hand or by a faulty copy).
    Code ``state_unreadable``; details ``unit`` (its ID, None when the parts did not join),
    ``level`` and ``reason``. Computing every unit again (``recompute``) rewrites the state."""

    def __init__(self, unit, level, reason):
        where = f"unit {unit}" if unit is not None else "the units"
        super().__init__("state_unreadable", f"The stored state of {where} cannot be read ({reason}): compute every unit again to rewrite it.",
                         unit=unit, level=level, reason=reason)


# --- digests -------------------------------------------------------------------------------------

def _digest(data):
    return hashlib.blake2b(data, digest_size=8).digest()


def _value_bytes(value):
    """A value's bytes for a digest: its type matters (1, 1.0 and '1' are different values)."""
    if value is None:
        return b"N"
    if isinstance(value, (float, np.floating)):
        return b"f" + np.float64(value).tobytes() if value == value else b"fnan"
    if isinstance(value, (bool, np.bool_)):
        return b"b1" if value else b"b0"
    if isinstance(value, (int, np.integer)):
        return b"i" + str(int(value)).encode()
    if isinstance(value, bytes):
        return b"y" + value
    return b"s" + str(value).encode("utf-8")


def _hash64(data):
    return int.from_bytes(_digest(data), "little")


_MIX_1, _MIX_2, _GOLDEN = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), np.uint64(0x9E3779B97F4A7C15)


def _mix(values):
    """splitmix64's finaliser, on a uint64 array: every input bit changes every output bit."""
    with np.errstate(over="ignore"):
        values = (values ^ (values >> np.uint64(30))) * _MIX_1
        values = (values ^ (values >> np.uint64(27))) * _MIX_2
        return values ^ (values >> np.uint64(31))


def feature_digests(geometries, columns=None, labels=None, wkb=None):
    """One 64-bit digest per feature (uint64) of its geometry (WKB) and column values; coded
    columns (``labels[name]``: the label of each code) are digested by their labels, numbers by
    their bits. The WKB (``wkb`` when the caller has it, as read) is hashed feature by feature
    (blake2b), the columns mixed in as arrays."""
    columns, labels = columns or {}, labels or {}
    if wkb is None:
        wkb = geometries_to_wkb(np.asarray(geometries, dtype=object)) if len(geometries) else np.zeros(0, dtype=object)
    out = np.fromiter((_hash64(item or b"") for item in wkb), dtype=np.uint64, count=len(wkb))
    for name in sorted(columns):
        values = np.asarray(columns[name])
        if name in labels:
            table = np.array([_hash64(_value_bytes(label)) for label in [*labels[name], None]], dtype=np.uint64)
            codes = values.astype(np.int64)
            column = table[np.where((codes < 0) | (codes >= len(labels[name])), len(labels[name]), codes)]
        elif values.dtype.kind in "fiub":
            numbers = values.astype(np.float64)
            numbers = np.where(np.isnan(numbers), np.nan, numbers)  # one NaN
            column = numbers.view(np.uint64)
        else:
            column = np.fromiter((_hash64(_value_bytes(value)) for value in values.tolist()), dtype=np.uint64, count=len(values))
        with np.errstate(over="ignore"):
            out = _mix(out ^ _mix(column + np.uint64(_hash64(name.encode()))))
    return out


def content_keys(digests):
    """Keys that name features by content: the digest, changed by the feature's rank among
    identical ones (in the order given), as int64."""
    digests = np.asarray(digests, dtype=np.uint64)
    order = np.argsort(digests, kind="stable")
    ranks = np.zeros(len(digests), dtype=np.uint64)
    if len(digests):
        sorted_digests = digests[order]
        starts = np.r_[0, np.flatnonzero(sorted_digests[1:] != sorted_digests[:-1]) + 1]
        run_start = np.repeat(starts, np.diff(np.r_[starts, len(digests)]))
        ranks[order] = (np.arange(len(digests)) - run_start).astype(np.uint64)
    with np.errstate(over="ignore"):
        keys = digests + ranks * np.uint64(0x9E3779B97F4A7C15)
    return keys.view(np.int64)


def near_digests(unit_geometries, feature_geometries, digests):
    """Per unit, a hex digest of the sorted digests of the features whose boxes meet its box."""
    out = np.empty(len(unit_geometries), dtype=object)
    if len(feature_geometries):
        unit_index, feature_index = shapely.STRtree(np.asarray(feature_geometries, dtype=object)).query(np.asarray(unit_geometries, dtype=object))
    else:
        unit_index = feature_index = np.zeros(0, dtype=np.int64)
    order = np.lexsort((digests[feature_index] if len(feature_index) else feature_index, unit_index))
    unit_index, feature_index = unit_index[order], feature_index[order]
    bounds = np.searchsorted(unit_index, np.arange(len(unit_geometries) + 1))
    for unit in range(len(unit_geometries)):
        found = digests[feature_index[bounds[unit]:bounds[unit + 1]]]
        out[unit] = hashlib.blake2b(found.tobytes(), digest_size=16).hexdigest()
    return out


def geometry_digests(geometries):
    """Per geometry, a hex digest of its WKB (the unit's own fingerprint)."""
    wkb = geometries_to_wkb(np.asarray(geometries, dtype=object))
    return np.array([hashlib.blake2b(item or b"", digest_size=16).hexdigest() for item in wkb], dtype=object)


def raster_window_digests(geometries, grid, reader, bands, cell_budget=1_000_000):
    """Per geometry, a hex digest of the values and validity of every band in the cells under
    its box (one cell of margin), read in strips of at most ``cell_budget`` cells."""
    out = np.empty(len(geometries), dtype=object)
    row0, row1, col0, col1 = grid.cell_box(shapely.bounds(np.asarray(geometries, dtype=object)))
    for index in range(len(geometries)):
        digest = hashlib.blake2b(digest_size=16)
        if shapely.is_missing(geometries[index]) or shapely.is_empty(geometries[index]):
            out[index] = digest.hexdigest()
            continue
        top, bottom = max(int(row0[index]) - 1, 0), min(int(row1[index]) + 1, grid.rows)
        left, right = max(int(col0[index]) - 1, 0), min(int(col1[index]) + 1, grid.columns)
        digest.update(np.array([top, bottom, left, right], dtype=np.int64).tobytes())
        if top < bottom and left < right:
            step = max(1, cell_budget // max(1, right - left))
            for band in bands:
                for start in range(top, bottom, step):
                    values, valid = reader.read(band, start, min(start + step, bottom), left, right)
                    digest.update(values.tobytes())
                    digest.update(b"" if valid is None else np.packbits(valid).tobytes())
        out[index] = digest.hexdigest()
    return out


def settings_hash(settings, code_version):
    """The ``params_hash`` of a run: the indicator's settings, the code's version, the format."""
    text = json.dumps({"settings": settings, "code": code_version, "parts": PARTS_FORMAT}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- parts: a chunk's partial result, unit by unit ---------------------------------------------

def split_by_unit(positions, values, frames):
    """``[(position, part)]``, one per unit of a chunk: ``values`` (name → array aligned with
    ``positions``) become each unit's scalars; ``frames`` (name → DataFrame with a ``unit``
    column of positions; None ones are left out) each unit's rows, as columns of arrays without
    the unit column."""
    positions = np.asarray(positions, dtype=np.int64)
    sliced = {}
    for name, frame in frames.items():
        if frame is None:
            continue
        units = frame["unit"].to_numpy(dtype=np.int64)
        order = np.argsort(units, kind="stable")
        columns = {column: frame[column].to_numpy()[order] for column in frame.columns if column != "unit"}
        sliced[name] = (columns, np.searchsorted(units[order], positions, side="left"), np.searchsorted(units[order], positions, side="right"))
    parts = []
    for number, position in enumerate(positions):
        part = {"values": {name: _plain(array[number]) for name, array in values.items()}, "frames": {}}
        for name, (columns, starts, ends) in sliced.items():
            part["frames"][name] = {column: array[starts[number]:ends[number]] for column, array in columns.items()}
        parts.append((int(position), part))
    return parts


def join_by_unit(parts):
    """The inverse of ``split_by_unit`` over ``parts`` (``[(position, part)]``, positions of
    this run; at least one): ``(positions, values, frames)``, frames as DataFrames with ``unit``."""
    positions = np.array([position for position, _part in parts], dtype=np.int64)
    first = parts[0][1]
    values = {name: np.array([part["values"][name] for _position, part in parts]) for name in first["values"]}
    frames = {}
    for name, template in first["frames"].items():
        counts = np.array([len(next(iter(part["frames"][name].values()))) if part["frames"][name] else 0 for _position, part in parts], dtype=np.int64)
        columns = {"unit": np.repeat(positions, counts)}
        for column, array in template.items():
            pieces = [part["frames"][name][column] for _position, part in parts]
            columns[column] = np.concatenate(pieces) if pieces else array[:0]
            if array.dtype == object:
                joined = np.empty(len(columns[column]), dtype=object)
                joined[:] = list(columns[column]) if len(columns[column]) else []
                columns[column] = joined
        frames[name] = pd.DataFrame(columns)
    return positions, values, frames


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def codes_to_labels(frame, column, labels):
    """``frame`` (None left as it is) with the class codes of ``column`` replaced by their labels
    (a code beyond the labels, -1, becomes None)."""
    if frame is None:
        return None
    table = np.empty(len(labels) + 1, dtype=object)
    table[:-1] = labels
    codes = frame[column].to_numpy(dtype=np.int64)
    return frame.assign(**{column: table[np.where((codes < 0) | (codes >= len(labels)), len(labels), codes)]})


def labels_to_codes(frame, column, labels):
    """``frame`` with the labels of ``column`` replaced by this run's codes of them."""
    codes = {_label_key(label): code for code, label in enumerate(labels)}
    return frame.assign(**{column: np.array([codes.get(_label_key(label), -1) for label in frame[column].tolist()], dtype=np.int64)})


def _label_key(label):
    return (type(label).__name__ if not isinstance(label, (bool, np.bool_)) else "bool", label)


# --- encoding: JSON, exact, no pickle -----------------------------------------------------------

def encode_part(part):
    """A unit's part as bytes (JSON): numbers as base64 of their binary, objects as JSON values
    (bytes as base64), so floats come back bit for bit."""
    return json.dumps({"values": {name: _encode_value(value) for name, value in part["values"].items()},
                       "frames": {name: {column: _encode_array(np.asarray(array)) for column, array in frame.items()}
                                  for name, frame in part["frames"].items()}}, separators=(",", ":")).encode("utf-8")


def decode_part(data):
    """A part from ``encode_part``'s bytes; bytes that are not such a part raise ``ValueError``."""
    try:
        return _decode_part(data)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise ValueError(f"{type(error).__name__}: {error}"[:200]) from None


def _decode_part(data):
    raw = json.loads(bytes(data).decode("utf-8"))
    frames = {name: {column: _decode_array(encoded) for column, encoded in columns.items()} for name, columns in raw["frames"].items()}
    for name, frame in frames.items():
        if len({len(array) for array in frame.values()}) > 1:
            raise ValueError(f"the columns of {name} differ in length")
    return {"values": {name: _decode_value(value) for name, value in raw["values"].items()}, "frames": frames}


def _encode_value(value):
    if isinstance(value, float):
        return {"f": base64.b64encode(np.float64(value).tobytes()).decode()}
    if isinstance(value, bytes):
        return {"y": base64.b64encode(value).decode()}
    return value


def _decode_value(value):
    if isinstance(value, dict) and "f" in value:
        return float(np.frombuffer(base64.b64decode(value["f"], validate=True), dtype=np.float64)[0])
    if isinstance(value, dict) and "y" in value:
        return base64.b64decode(value["y"], validate=True)
    return value


def _encode_array(array):
    if array.dtype.kind in "biuf":
        return {"dtype": array.dtype.str, "data": base64.b64encode(np.ascontiguousarray(array).tobytes()).decode()}
    return {"dtype": "object", "items": [_encode_value(item.item() if hasattr(item, "item") else item) for item in array.tolist()]}


def _decode_array(encoded):
    if encoded["dtype"] == "object":
        out = np.empty(len(encoded["items"]), dtype=object)
        out[:] = [_decode_value(item) for item in encoded["items"]] if encoded["items"] else []
        return out
    return np.frombuffer(base64.b64decode(encoded["data"], validate=True), dtype=np.dtype(encoded["dtype"])).copy()


class MemoryState:
    """A state kept in this process (a notebook's resumable runs, tests): ``runner.run``'s
    ``state`` without a database. ``rows[(level, unit ID)] = (unit_hash, input_hash, params_hash, part)``."""

    def __init__(self, code_version="", recompute=False):
        self.code_version, self.recompute = code_version, recompute
        self.rows = {}
        self.saved_chunks = 0

    def load(self, level, ids, params_hash):
        out = {}
        for unit in ids:
            row = self.rows.get((level, unit))
            if row is not None and row[2] == params_hash:
                out[unit] = (row[0], row[1], row[3])
        return out

    def save(self, level, rows, params_hash):
        self.saved_chunks += 1
        for unit, unit_hash, input_hash, part in rows:
            self.rows[(level, unit)] = (unit_hash, input_hash, params_hash, part)
