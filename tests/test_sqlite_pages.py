"""Tables written as SQLite pages by numpy (processing_provider/outputs/sqlite_pages.py).

Checked independently: SQLite's own ``integrity_check`` on the file (B-tree structure, cell
bounds, overflow chains, free space accounting); every value read back against what Python's
sqlite3 stores when it binds the same values into a table SQLite made itself; the shape of the
B-tree read from the file's bytes, so that interior levels and overflow pages are known to be
exercised.
"""

import datetime
import random
import sqlite3
import struct

import numpy as np
import pytest

from geoindicators.processing_provider.outputs import sqlite_pages


def _columns(count):
    generator = random.Random(5)
    return {
        "real": [generator.random() * 1e6 for _ in range(count)],
        "real_or_null": [None if row % 7 == 0 else float("nan") if row % 11 == 0 else generator.uniform(-1, 1) for row in range(count)],
        "integer": [generator.randint(-2**63, 2**63 - 1) for _ in range(count)],
        "integer_or_null": [None if row % 3 == 0 else row - 500 for row in range(count)],
        "numbers": [None if row % 5 == 0 else row if row % 2 else row + 0.5 for row in range(count)],
        "h3": [f"{0x891e2e9c0a3ffff + row:x}" for row in range(count)],
        "text": ["é" * (row % 300) + str(row) for row in range(count)],
        "blob": [bytes(generator.getrandbits(8) for _ in range(row % 50)) for row in range(count)],
        # Longer than a 64 KiB page: continued on overflow pages, several for the first.
        "long": [bytes(range(256)) * 800 if row == 5 else b"x" * 70_000 if row in (7, 8) else b"y" for row in range(count)],
        "anything": [[None, 1, 2.5, "s", b"b", True, datetime.date(2020, 1, 2), float("nan"), -0.0, 2**63 - 1][row % 10] for row in range(count)],
        "reals_array": np.arange(count, dtype=np.float64) / 3,
        "integers_array": np.arange(count, dtype=np.int32) - 7,
    }


def _bound_by_python(columns):
    """The rows as Python's sqlite3 stores them, bound into a table SQLite made."""
    connection = sqlite3.connect(":memory:")
    names = ", ".join(f"c{position}" for position in range(len(columns)))
    connection.execute(f"CREATE TABLE bound ({names})")
    values = [column.tolist() if isinstance(column, np.ndarray) else column for column in columns.values()]
    connection.executemany(f"INSERT INTO bound VALUES ({', '.join('?' * len(columns))})", zip(*values))
    return connection.execute(f"SELECT {names} FROM bound ORDER BY rowid").fetchall()


def _typed(rows):
    # Types with the values: 1 == 1.0 == True in Python, not in SQLite; -0.0 kept apart from 0.0.
    return [tuple((type(value).__name__, struct.pack(">d", value) if type(value) is float else value) for value in row) for row in rows]


@pytest.mark.parametrize("page_size", [512, 65536])
def test_the_tables_hold_what_pythons_sqlite3_binds(tmp_path, page_size):
    count = 3000
    columns = _columns(count)
    path = str(tmp_path / "staged.sqlite")
    # Tables of values numpy lays out alone, without a bytes object per row (numbers, texts of one
    # length), some rows longer than a page of either size.
    laid_out = {"reals": np.arange(count) / 7.0, "h3": columns["h3"], "integers": np.arange(count) * 3, "padded": [f"{row:0600d}" for row in range(count)]}
    long_texts = {"text": [letter * 70_000 for letter in "xyz"], "number": [1, 2.5, None]}
    tables = [sqlite_pages.Table("rows", columns), sqlite_pages.Table("empty", {"a": []}), sqlite_pages.Table("one", {"a": [1], "b": ["x"]}),
              sqlite_pages.Table("laid_out", laid_out), sqlite_pages.Table("long_texts", long_texts)]
    sqlite_pages.write_database(path, tables, page_size=page_size)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert connection.execute("PRAGMA page_size").fetchone()[0] == page_size
    names = ", ".join(f"c{position}" for position in range(len(columns)))
    stored = connection.execute(f"SELECT {names} FROM rows ORDER BY rowid").fetchall()
    assert _typed(stored) == _typed(_bound_by_python(columns))
    assert connection.execute("SELECT count(*) FROM empty").fetchone() == (0,)
    assert connection.execute("SELECT c0, c1 FROM one").fetchall() == [(1, "x")]
    for name, values in (("laid_out", laid_out), ("long_texts", long_texts)):
        stored = connection.execute(f"SELECT {', '.join(f'c{position}' for position in range(len(values)))} FROM {name} ORDER BY rowid").fetchall()
        assert _typed(stored) == _typed(_bound_by_python(values))
    # The tree's shape, read from the file: interior pages above the leaves (two levels of them
    # in small pages). The long blobs read back whole went through overflow pages.
    with open(path, "rb") as file:
        data = file.read()
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'rows'").fetchone()[0]
    levels, page = 0, root
    while data[(page - 1) * page_size + (100 if page == 1 else 0)] == 0x05:  # an interior page
        levels += 1
        page = int.from_bytes(data[(page - 1) * page_size + 8:(page - 1) * page_size + 12], "big")  # its right-most child
    assert data[(page - 1) * page_size] == 0x0D and levels >= (2 if page_size == 512 else 1)


def test_values_python_cannot_bind_are_refused_as_sqlite3_refuses_them(tmp_path):
    path = str(tmp_path / "staged.sqlite")
    with pytest.raises(sqlite3.ProgrammingError):
        sqlite3.connect(":memory:").execute("SELECT ?", (object(),))
    for values in ([1.0, object()], [1, 2**64], ["a", "\ud800"]):
        with pytest.raises(sqlite3.ProgrammingError):
            sqlite_pages.write_database(path, [sqlite_pages.Table("rows", {"a": values})])


def test_columns_must_be_of_one_length(tmp_path):
    with pytest.raises(ValueError, match="not of one length"):
        sqlite_pages.write_database(str(tmp_path / "staged.sqlite"), [sqlite_pages.Table("rows", {"a": [1, 2], "b": [1]})])


def test_every_number_of_leaves_makes_a_sound_tree(tmp_path):
    """Rows of one leaf page each (400 bytes in 512-byte pages), from 1 to past two interior
    levels: an interior page holds 56 children, so counts such as 57 leave one child over, which
    must not make an interior page without a cell."""
    path = str(tmp_path / "staged.sqlite")
    for count in [*range(1, 130), 56 * 55 + 1, 56 * 56 + 1]:
        values = [bytes([row % 256]) * 400 for row in range(count)]
        sqlite_pages.write_database(path, [sqlite_pages.Table("rows", {"a": values})], page_size=512)
        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)], count
        assert [row[0] for row in connection.execute("SELECT c0 FROM rows ORDER BY rowid")] == values, count
        connection.close()
