"""Indicator facts in a PostgreSQL/PostGIS table: created once, then kept (its grants, the views on
it, its comments) and written safely run after run.

A ``FactTable`` writes an indicator's long table (one row per unit and class, band or variable,
and per parent at each level) through a DB-API connection of psycopg 2 (QGIS's) or psycopg 3:

- ``UPDATE`` (0): the rows of this run's units replace theirs, other units' rows stay; units that
  left the units layer lose their rows (``remove_units``). One transaction per chunk of units:
  a crash leaves every unit with its old rows or its new ones, never half.
- ``REPLACE`` (1): every row of the table is replaced, in one transaction; the table itself, its
  grants, views and comments stay (QGIS's own PostGIS output drops and recreates it).
- ``APPEND`` (2): the rows of this run are added beside the earlier runs', in one transaction;
  ``run_id`` is part of the primary key.

Rows go through a temporary staging table (``COPY``), then ``DELETE`` and ``INSERT`` in SQL.
Identifiers are composed by the driver (``sql.Identifier``), never formatted into SQL; names
longer than PostgreSQL's 63 bytes are shortened with a hash suffix (``postgres_name``), because
PostgreSQL truncates them silently and two long names then collide. A session advisory lock keeps
two runs from writing one table at once. Every run has a row in ``geoindicators_runs`` in the
table's schema (its record, as JSON) that fact rows reference by ``run_id``.

NULL cannot be part of a primary key: a key column's NULL (the overlay's NULL class, the class of
an extensive variable) is stored as '' (the column comment says so).

Its length (about 600 lines) is one table's life: the COPY writer, the state table of resumed runs
and the runs table share the table's connection, lock and transaction.
"""

import hashlib
import io
import math
from dataclasses import dataclass, field

from ..model.errors import InputError

UPDATE, REPLACE, APPEND = 0, 1, 2
MODE_NAMES = {UPDATE: "update", REPLACE: "replace", APPEND: "append"}
RUNS_TABLE = "geoindicators_runs"
STATE_SUFFIX = "_state"
# PostgreSQL keeps identifiers of at most NAMEDATALEN - 1 bytes.
NAME_BYTES = 63
_KEPT_BYTES = 54
# Rows per COPY into the staging table, and units per transaction in the update mode.
UNITS_PER_TRANSACTION = 5000
LOCK_TIMEOUT = "30s"
SQL_TYPES = ("bigint", "double precision", "text", "uuid", "integer", "boolean")


class FactsError(InputError):
    """A fact table that cannot be written as asked. Codes: ``no_schema`` (schema), ``locked``
    (table), ``columns_differ`` (table, expected, found), ``key_differs`` (table, expected,
    found), ``key_columns_differ`` (table, expected, found), ``cannot_create`` (role, schema,
    table), ``database`` (action, reason), ``null_and_empty`` (column)."""


def postgres_name(name):
    """``(name PostgreSQL keeps, shortened?)``: names over 63 bytes keep their first 54 bytes
    (whole characters), ``_`` and 8 hex digits of the name's sha1, so that two long names that
    start alike stay apart."""
    encoded = name.encode("utf-8")
    if len(encoded) <= NAME_BYTES:
        return name, False
    kept = encoded[:_KEPT_BYTES].decode("utf-8", errors="ignore")
    return f"{kept}_{hashlib.sha1(encoded).hexdigest()[:8]}", True


@dataclass(frozen=True)
class Column:
    """A fact column: its name, SQL type (among ``SQL_TYPES``), whether it is part of the primary
    key, and its comment (what it holds, its unit)."""

    name: str
    sql_type: str
    key: bool = False
    comment: str = None

    def __post_init__(self):
        if self.sql_type not in SQL_TYPES:
            raise ValueError(f"SQL type among {SQL_TYPES}, not {self.sql_type!r}")


@dataclass
class _Driver:
    """What differs between psycopg 2 and 3: the ``sql`` module and how ``COPY`` is fed."""

    sql: object
    version: int

    @classmethod
    def of(cls, connection):
        if type(connection).__module__.startswith("psycopg2"):
            from psycopg2 import sql

            return cls(sql, 2)
        from psycopg import sql

        return cls(sql, 3)

    def copy(self, cursor, statement, text):
        if self.version == 2:
            cursor.copy_expert(statement.as_string(cursor.connection), io.StringIO(text))
        else:
            with cursor.copy(statement) as copy:
                copy.write(text)


@dataclass
class FactTable:
    """The fact table ``schema.table`` of one indicator, written through ``connection``.

    ``open`` locks it and adds the run's row; ``set_columns`` checks the table (or has it made
    with the first rows);
    ``write`` writes the rows by the ``mode``; ``finish`` closes the run's row; ``close`` unlocks.
    ``describe``: the table comment's first words (the indicator's name)."""

    connection: object
    schema: str
    table: str
    mode: int
    describe: str = "GeoIndicators facts"
    renamed: list = field(default_factory=list)

    def __post_init__(self):
        if self.mode not in MODE_NAMES:
            raise ValueError(f"mode among {list(MODE_NAMES)}")
        self.driver = _Driver.of(self.connection)
        self.name = self._name(self.table)
        self.state_name = self._name(self.table + STATE_SUFFIX)
        self.key_name = self._name(self.table + "_pkey")
        self.runs_name = RUNS_TABLE
        self.columns, self.id_column, self.level_column, self.unit_level = [], None, None, None
        self.locked = False
        self.to_create = False  # set by ``set_columns`` when the table is still to be made

    def set_columns(self, columns, id_column, level_column=None, unit_level=None):
        """The long table's ``columns`` (``Column``s, in order; ``run_id`` is added last), its unit
        ID column, the column telling units from parents (None without levels) and its value on
        the units' rows (``unit_level``). An existing fact table is checked to have exactly these
        columns and key; a new one is created by the transaction that writes its first rows, so a
        run that stops before (a cancel, a failed output layer) leaves no empty table behind."""
        self.columns = [*columns, Column("run_id", "uuid", key=self.mode == APPEND, comment="The run that wrote the row (geoindicators_runs).")]
        self.id_column, self.level_column, self.unit_level = id_column, level_column, unit_level
        try:
            found = self._existing_columns(self.name)
            if found:
                self._check_fact_table(found)
            self.to_create = not found and self._missing(self.name)
            self.connection.commit()
        except BaseException:
            self._rollback()
            raise

    def _name(self, logical):
        physical, shortened = postgres_name(logical)
        if shortened:
            self.renamed.append((logical, physical))
        return physical

    # --- identifiers -----------------------------------------------------------------------

    def _identifier(self, name):
        return self.driver.sql.Identifier(self.schema, name)

    @property
    def qualified(self):
        """``"schema"."table"`` as PostgreSQL prints it (for messages and records)."""
        return self._identifier(self.name).as_string(self.connection)

    @property
    def state_qualified(self):
        """The state table (per-unit parts kept for resume) as PostgreSQL prints it."""
        return self._identifier(self.state_name).as_string(self.connection)

    def _execute(self, statement, arguments=None, action="write"):
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(statement, arguments)
                return cursor.fetchall() if cursor.description else None
        except Exception as error:
            self._rollback()
            raise _database_error(error, action) from None

    def _rollback(self):
        try:
            self.connection.rollback()
        except Exception:  # the connection itself is gone: nothing to undo here
            pass

    # --- opening ---------------------------------------------------------------------------

    def open(self, record):
        """Lock the table for this run, check or create the runs and state tables, and add the
        run's row (status running); committed. The fact table comes with ``set_columns``."""
        sql = self.driver.sql
        self._execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)), action="connect")
        found = self._execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,), action="connect")
        if not found:
            self._rollback()
            raise FactsError("no_schema", f"The schema {self.schema} does not exist in the database.", schema=self.schema)
        [(locked,)] = self._execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.qualified,), action="lock")
        if not locked:
            self._rollback()
            raise FactsError("locked", f"Another run is writing to {self.qualified}.", table=self.qualified)
        self.locked = True
        self.connection.commit()
        try:
            # Made when missing only: a role that may write the rows of tables made by their owner
            # (a scheduled job's) may neither create nor comment on them.
            if self._missing(self.runs_name):
                self._create_runs_table()
            if self._missing(self.state_name):
                self._create_state_table()
            self._execute(
                sql.SQL("INSERT INTO {} (run_id, parent_run_id, algorithm, status, started_at, fact_table, parameters, inputs, record) "
                        "VALUES (%s, %s, %s, 'running', %s, %s, %s::jsonb, %s::jsonb, %s::jsonb)").format(self._identifier(self.runs_name)),
                (record["run_id"], record.get("parent_run_id"), record["algorithm"], record["started_at"], self.qualified,
                 _json(record["parameters"]), _json(record["inputs"]), _json(record)),
            )
            self.connection.commit()
        except BaseException:
            self._rollback()
            self.close()
            raise

    def _missing(self, name):
        """Whether the table ``name`` of the schema is still to be made; if so, the connection's
        role must be allowed to make it (``FactsError('cannot_create')`` otherwise)."""
        [(missing,)] = self._execute("SELECT to_regclass(%s) IS NULL", (self._identifier(name).as_string(self.connection),), action="read")
        if missing:
            [(allowed, role)] = self._execute("SELECT has_schema_privilege(%s, 'CREATE'), current_user", (self.schema,), action="read")
            if not allowed:
                raise FactsError("cannot_create", f"The role {role} may not create {self._identifier(name).as_string(self.connection)}.",
                                 role=role, schema=self.schema, table=self.qualified)
        return missing

    def _create_runs_table(self):
        sql = self.driver.sql
        self._execute(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (run_id uuid PRIMARY KEY, parent_run_id uuid, algorithm text NOT NULL, status text NOT NULL, "
            "started_at timestamptz NOT NULL, ended_at timestamptz, fact_table text, units_computed bigint, units_skipped bigint, units_removed bigint, "
            "rows_written bigint, parameters jsonb, inputs jsonb, record jsonb NOT NULL)"
        ).format(self._identifier(self.runs_name)), action="create")
        comment = "GeoIndicators runs: one row per run (its record as PROV / OpenLineage JSON); fact rows name theirs in run_id."
        self._execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(self._identifier(self.runs_name), sql.Literal(comment)), action="create")

    def _existing_columns(self, name):
        rows = self._execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (self.schema, name), action="read",
        )
        return [(column, data_type) for column, data_type in rows]

    def _existing_key(self):
        rows = self._execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
            (self.qualified,), action="read",
        )
        return [name for (name,) in rows]

    def check_key(self, names):
        """Before the rows are known: an existing fact table must be keyed by ``names`` (in any
        order; ``run_id`` is added in the append mode). Raises ``key_differs`` (the mode) or
        ``key_columns_differ`` (another indicator's table, other levels)."""
        expected = [*names, *(["run_id"] if self.mode == APPEND else [])]
        try:
            if not self._existing_columns(self.name):
                return
            found = self._existing_key()
            self.connection.commit()
        except BaseException:
            self._rollback()
            raise
        if set(found) == set(expected):
            return
        code = "key_differs" if set(found) ^ set(expected) == {"run_id"} else "key_columns_differ"
        raise FactsError(code, f"The primary key of {self.qualified} is ({', '.join(found)}), not ({', '.join(expected)}).",
                         table=self.qualified, expected=", ".join(expected), found=", ".join(found))

    def _check_fact_table(self, found):
        """The existing table's columns ``found`` and key must be this run's."""
        expected = [(column.name, column.sql_type) for column in self.columns]
        key = [column.name for column in self.columns if column.key]
        if found != expected:
            raise FactsError("columns_differ", f"{self.qualified} has other columns than this run writes.", table=self.qualified,
                             expected=_columns_text(expected), found=_columns_text(found))
        existing_key = self._existing_key()
        if existing_key != key:
            raise FactsError("key_differs", f"The primary key of {self.qualified} is ({', '.join(existing_key)}), not ({', '.join(key)}).",
                             table=self.qualified, expected=", ".join(key), found=", ".join(existing_key))

    def _create_fact_table(self):
        """Create the fact table, its key and comments, in the transaction under way (not committed)."""
        sql = self.driver.sql
        key = [column.name for column in self.columns if column.key]
        definitions = [
            sql.SQL("{} {}{}").format(sql.Identifier(column.name), sql.SQL(column.sql_type), sql.SQL(" NOT NULL" if column.key else ""))
            for column in self.columns[:-1]
        ]
        definitions.append(sql.SQL("run_id uuid NOT NULL REFERENCES {} (run_id)").format(self._identifier(self.runs_name)))
        definitions.append(sql.SQL("CONSTRAINT {} PRIMARY KEY ({})").format(sql.Identifier(self.key_name), sql.SQL(", ").join(map(sql.Identifier, key))))
        self._execute(sql.SQL("CREATE TABLE {} ({})").format(self._identifier(self.name), sql.SQL(", ").join(definitions)), action="create")
        for column in self.columns:
            text = column.comment
            if column.key and column.sql_type == "text" and column.name != self.id_column:
                text = ((text + " ") if text else "") + "'' stands for NULL (no class)."
            if text:
                self._execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(self._identifier(self.name), sql.Identifier(column.name), sql.Literal(text)),
                              action="create")

    def _create_state_table(self):
        sql = self.driver.sql
        self._execute(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (level text NOT NULL, unit_id text NOT NULL, unit_hash text NOT NULL, input_hash text NOT NULL, "
            "params_hash text NOT NULL, run_id uuid NOT NULL, status text NOT NULL, part bytea, computed_at timestamptz NOT NULL DEFAULT now(), "
            "CONSTRAINT {} PRIMARY KEY (level, unit_id))"
        ).format(self._identifier(self.state_name), sql.Identifier(self._name(self.table + STATE_SUFFIX + "_pkey"))), action="create")
        comment = (f"GeoIndicators state of {self.qualified}: per unit, the fingerprints of its geometry, of the inputs near it and of the "
                   "parameters, and its partial result, so that a run resumes and recomputes only what changed.")
        self._execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(self._identifier(self.state_name), sql.Literal(comment)), action="create")

    # --- writing ---------------------------------------------------------------------------

    def _staging(self, cursor):
        sql = self.driver.sql
        cursor.execute(sql.SQL("CREATE TEMPORARY TABLE IF NOT EXISTS geoindicators_staging (LIKE {}) ON COMMIT DELETE ROWS").format(self._identifier(self.name)))

    def _copy_rows(self, cursor, text):
        """COPY ``text`` (rows in COPY's text format, in the columns' order) into the staging table."""
        sql = self.driver.sql
        names = sql.SQL(", ").join(sql.Identifier(column.name) for column in self.columns)
        self.driver.copy(cursor, sql.SQL("COPY geoindicators_staging ({}) FROM STDIN").format(names), text)

    def _insert_staged(self, cursor):
        sql = self.driver.sql
        names = sql.SQL(", ").join(sql.Identifier(column.name) for column in self.columns)
        cursor.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM geoindicators_staging").format(self._identifier(self.name), names, names))

    def write(self, frame, run_id, units_by_level, on_progress=None):
        """Write the long table ``frame`` (a DataFrame with the columns, without run_id).

        ``units_by_level``: ``{level: unit IDs}`` this run holds the rows of (the units' level
        is ``unit_level``; None without levels): in the update mode their old rows go, even those
        of units that now have none. Returns the number of rows written."""
        frame = self._keyed(frame)
        frame["run_id"] = run_id
        if self.mode in (REPLACE, APPEND):
            self._transaction(copy_text(frame), delete_all=self.mode == REPLACE)
            if on_progress:
                on_progress(1.0)
            return len(frame)
        ids = frame[self.id_column]
        levels = frame[self.level_column] if self.level_column else None
        batches = [(level, unit_ids[start:start + UNITS_PER_TRANSACTION]) for level, unit_ids in units_by_level.items()
                   for start in range(0, len(unit_ids), UNITS_PER_TRANSACTION)]
        if self.to_create and not batches:
            self._transaction("")  # no unit: the table is made all the same, empty
        for number, (level, batch) in enumerate(batches, start=1):
            rows = ids.isin(batch) if levels is None else (levels == level) & ids.isin(batch)
            self._transaction(copy_text(frame[rows.to_numpy()]), level=level, ids=list(batch))
            if on_progress:
                on_progress(number / len(batches))
        return len(frame)

    def _keyed(self, frame):
        """A copy of ``frame`` with the NULLs of text key columns as '' (a primary key holds no NULL)."""
        frame = frame.copy()
        for column in self.columns[:-1]:
            if not column.key:
                continue
            missing = frame[column.name].isna().to_numpy()
            if missing.any():
                if column.sql_type != "text":
                    raise FactsError("null_key", f"The key column {column.name} has a NULL value.", column=column.name)
                values = frame[column.name].to_numpy(dtype=object).copy()
                values[missing] = ""
                frame[column.name] = values
        return frame

    def _transaction(self, text, delete_all=False, level=None, ids=None):
        sql = self.driver.sql
        if self.to_create:
            self._create_fact_table()  # rolled back with the rows if they fail
        try:
            with self.connection.cursor() as cursor:
                self._staging(cursor)
                if text:
                    self._copy_rows(cursor, text)
                target = self._identifier(self.name)
                if delete_all:
                    cursor.execute(sql.SQL("DELETE FROM {}").format(target))
                elif ids is not None:
                    if self.level_column:
                        cursor.execute(sql.SQL("DELETE FROM {} WHERE {} = %s AND {} = ANY(%s)").format(target, sql.Identifier(self.level_column), sql.Identifier(self.id_column)),
                                       (level, ids))
                    else:
                        cursor.execute(sql.SQL("DELETE FROM {} WHERE {} = ANY(%s)").format(target, sql.Identifier(self.id_column)), (ids,))
                self._insert_staged(cursor)
            self.connection.commit()
            self.to_create = False
        except Exception as error:
            self._rollback()
            raise _database_error(error, "write") from None

    def remove_others(self, units_by_level):
        """Delete the rows (and the state) of every unit or parent of each level that this run
        does not hold: they left the units layer. One transaction; returns how many units of the
        units' own level went."""
        sql = self.driver.sql
        target = self._identifier(self.name)
        removed = 0
        try:
            with self.connection.cursor() as cursor:
                for level, ids in units_by_level.items():
                    ids = list(ids)
                    if self.level_column:
                        condition = sql.SQL("{} = %s AND NOT ({} = ANY(%s))").format(sql.Identifier(self.level_column), sql.Identifier(self.id_column))
                        arguments = (level, ids)
                    else:
                        condition = sql.SQL("NOT ({} = ANY(%s))").format(sql.Identifier(self.id_column))
                        arguments = (ids,)
                    cursor.execute(sql.SQL("SELECT count(DISTINCT {}) FROM {} WHERE ").format(sql.Identifier(self.id_column), target) + condition, arguments)
                    count = cursor.fetchone()[0]
                    cursor.execute(sql.SQL("DELETE FROM {} WHERE ").format(target) + condition, arguments)
                    cursor.execute(sql.SQL("DELETE FROM {} WHERE level = %s AND NOT (unit_id = ANY(%s))").format(self._identifier(self.state_name)),
                                   (_state_level(level), [str(unit) for unit in ids]))
                    if level == self.unit_level:
                        removed = count
            self.connection.commit()
        except Exception as error:
            self._rollback()
            raise _database_error(error, "write") from None
        return removed

    # --- state (resume and incremental runs) --------------------------------------------------

    def state_store(self, run_id, code_version, recompute=False):
        return PostgresState(self, run_id, code_version, recompute)

    # --- closing ---------------------------------------------------------------------------

    def finish(self, record, rows_written):
        """Close the run's row with its record, and say in the table's comment which run wrote last."""
        sql = self.driver.sql
        counts = record.get("counts", {})
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    sql.SQL("UPDATE {} SET status = %s, ended_at = %s, units_computed = %s, units_skipped = %s, units_removed = %s, rows_written = %s, "
                            "inputs = %s::jsonb, record = %s::jsonb WHERE run_id = %s").format(self._identifier(self.runs_name)),
                    (record["status"], record["ended_at"], counts.get("units_computed"), counts.get("units_skipped"), counts.get("units_removed"), rows_written,
                     _json(record["inputs"]), _json(record), record["run_id"]),
                )
                if record["status"] == "completed" and self._owned():
                    comment = (f"{self.describe}, written by GeoIndicators ({record['algorithm']}, {MODE_NAMES[self.mode]} mode). "
                               f"Last run: {record['run_id']}, ended {record['ended_at']} (see {RUNS_TABLE}).")
                    cursor.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(self._identifier(self.name), sql.Literal(comment)))
            self.connection.commit()
        except Exception as error:
            self._rollback()
            raise _database_error(error, "write") from None

    def _owned(self):
        """Whether the connection's role owns the fact table (only its owner may comment on it)."""
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass", (self.qualified,))
            return cursor.fetchone()[0]

    def fail(self, record):
        """Mark the run's row as failed or cancelled (best effort: the database may be the problem)."""
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(self.driver.sql.SQL("UPDATE {} SET status = %s, ended_at = %s, record = %s::jsonb WHERE run_id = %s").format(
                    self._identifier(self.runs_name)), (record["status"], record["ended_at"], _json(record), record["run_id"]))
            self.connection.commit()
        except Exception:
            self._rollback()

    def close(self):
        if self.locked:
            try:
                self._rollback()
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self.qualified,))
                self.connection.commit()
            except Exception:  # closing the connection releases it anyway
                pass
            self.locked = False


class PostgresState:
    """The per-unit state of a fact table, as ``runner.run`` uses it: ``load`` the units already
    computed with the same parameters, ``save`` a chunk's units (one transaction) as it finishes.
    ``recompute`` ignores what is stored; ``code_version`` is part of every ``params_hash``."""

    def __init__(self, facts, run_id, code_version, recompute=False):
        self.facts, self.run_id, self.code_version, self.recompute = facts, run_id, code_version, recompute

    def load(self, level, ids, params_hash):
        """``{unit ID text: (unit_hash, input_hash, part bytes)}`` of the units ``ids`` of
        ``level`` computed with ``params_hash``."""
        facts = self.facts
        rows = facts._execute(
            facts.driver.sql.SQL("SELECT unit_id, unit_hash, input_hash, part FROM {} WHERE level = %s AND params_hash = %s AND status = 'done' AND unit_id = ANY(%s)").format(
                facts._identifier(facts.state_name)),
            (_state_level(level), params_hash, [str(unit) for unit in ids]), action="read",
        )
        facts.connection.commit()
        return {unit: (unit_hash, input_hash, bytes(part)) for unit, unit_hash, input_hash, part in rows}

    def save(self, level, rows, params_hash):
        """Keep ``rows`` (unit ID, unit_hash, input_hash, part bytes) of ``level``: one transaction."""
        facts = self.facts
        sql = facts.driver.sql
        if not rows:
            return
        text = _copy_text([[_state_level(level), str(unit), unit_hash, input_hash, params_hash, self.run_id, "done", part] for unit, unit_hash, input_hash, part in rows])
        try:
            with facts.connection.cursor() as cursor:
                cursor.execute("CREATE TEMPORARY TABLE IF NOT EXISTS geoindicators_state_staging (level text, unit_id text, unit_hash text, input_hash text, "
                               "params_hash text, run_id uuid, status text, part bytea) ON COMMIT DELETE ROWS")
                facts.driver.copy(cursor, sql.SQL("COPY geoindicators_state_staging FROM STDIN"), text)
                cursor.execute(sql.SQL(
                    "INSERT INTO {} (level, unit_id, unit_hash, input_hash, params_hash, run_id, status, part, computed_at) "
                    "SELECT level, unit_id, unit_hash, input_hash, params_hash, run_id, status, part, now() FROM geoindicators_state_staging "
                    "ON CONFLICT (level, unit_id) DO UPDATE SET unit_hash = EXCLUDED.unit_hash, input_hash = EXCLUDED.input_hash, params_hash = EXCLUDED.params_hash, "
                    "run_id = EXCLUDED.run_id, status = EXCLUDED.status, part = EXCLUDED.part, computed_at = EXCLUDED.computed_at"
                ).format(facts._identifier(facts.state_name)))
            facts.connection.commit()
        except Exception as error:
            facts._rollback()
            raise _database_error(error, "write") from None


def _state_level(level):
    return "" if level is None else str(level)


def _json(value):
    from .provenance import to_json

    return to_json(value)


def _columns_text(columns):
    return ", ".join(f"{name} {sql_type}" for name, sql_type in columns)


def _database_error(error, action):
    """A driver's error as a ``FactsError('database')`` with its first line (no SQL, no secrets)."""
    from .provenance import redact

    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return FactsError("database", f"The database refused to {action}: {redact(text)}", action=action, reason=redact(text))


def copy_text(frame):
    """A DataFrame's rows in COPY's text format, column by column (floats exact, NaN as NULL)."""
    import numpy as np

    if not len(frame):
        return ""
    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype.kind == "f":
            columns.append(["\\N" if value != value else (repr(value) if abs(value) != float("inf") else _copy_value(value)) for value in values.tolist()])
        elif values.dtype.kind in "iub":
            columns.append([_copy_value(value) for value in values.tolist()] if values.dtype.kind == "b" else list(map(str, values.tolist())))
        else:
            items = np.asarray(values, dtype=object).tolist()
            kinds = set(map(type, items))
            if kinds <= {str} and not any(character in "".join(items) for character in "\\\t\n\r"):
                columns.append(items)  # plain texts need no escaping
            elif kinds <= {int}:
                columns.append(list(map(str, items)))
            else:
                columns.append([_copy_value(value) for value in items])
    return "\n".join(map("\t".join, zip(*columns))) + "\n"


def _copy_text(rows):
    """Rows in COPY's text format: tab-separated, \\N for NULL, backslashes and control
    characters escaped, floats exact (repr), bytes as bytea hex."""
    out = []
    for row in rows:
        out.append("\t".join(_copy_value(value) for value in row))
    return "\n".join(out) + ("\n" if out else "")


def _copy_value(value):
    if value is None or type(value).__name__ == "NAType":
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        if math.isnan(value):
            return "\\N"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(value).hex()
    if hasattr(value, "item"):  # numpy scalars
        return _copy_value(value.item())
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

