"""Where indicators are kept: run records (provenance), PostgreSQL fact tables, and the per-unit
state that lets a run resume and recompute only what changed. Pure Python: the QGIS plugin, a
notebook or a cron job use the same code (psycopg 2 or 3 for PostgreSQL)."""
