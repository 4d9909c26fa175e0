"""A real PostgreSQL + PostGIS server for the tests, in a scratch folder, on a free loopback port.

Debian's PostgreSQL 15 with PostGIS 3 (``make test`` installs them). The server refuses to run as
root, so under root it runs as the ``postgres`` system user, over a data folder that user owns.
"""

import os
import pwd
import shutil
import subprocess
import tempfile

from tests.helpers import free_port

BINARIES = "/usr/lib/postgresql/15/bin"
DATABASE = "geoindicators"
USER = "geoindicators"
PASSWORD = "not-a-secret"


class Server:
    """``start()`` an empty database with PostGIS; ``connection`` is its libpq string; ``stop()``."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="geoindicators-postgis-")
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self.connection = f"host=127.0.0.1 port={self.port} dbname={DATABASE} user={USER} password={PASSWORD}"
        self._as_user = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command, **options):
        return subprocess.run([*self._as_user, *command], check=True, capture_output=True, text=True, cwd=self.folder, **options)

    def start(self):
        missing = [name for name in ("initdb", "pg_ctl") if not os.path.exists(os.path.join(BINARIES, name))]
        if missing or not os.path.exists("/usr/share/postgresql/15/extension/postgis.control"):
            raise RuntimeError("PostgreSQL 15 and PostGIS 3 are missing: run `make test`, which installs them from Debian.")
        password_file = os.path.join(self.folder, "password")
        with open(password_file, "w", encoding="utf-8") as handle:
            handle.write(PASSWORD)
        if self._as_user:
            shutil.chown(password_file, "postgres")
        self._run(os.path.join(BINARIES, "initdb"), "-D", self.data, "-U", USER, "--pwfile", password_file, "-A", "scram-sha-256", "-E", "UTF8")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(os.path.join(BINARIES, "pg_ctl"), "-D", self.data, "-o", options, "-l", os.path.join(self.folder, "log"), "-w", "-t", "60", "start")
        environment = {**os.environ, "PGPASSWORD": PASSWORD}
        psql = ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-v", "ON_ERROR_STOP=1", "-q"]
        subprocess.run([*psql, "-d", "postgres", "-c", f"CREATE DATABASE {DATABASE}"], check=True, env=environment, capture_output=True)
        subprocess.run([*psql, "-d", DATABASE, "-c", "CREATE EXTENSION postgis"], check=True, env=environment, capture_output=True)
        return self

    def sql(self, statement):
        environment = {**os.environ, "PGPASSWORD": PASSWORD}
        done = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", DATABASE, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement],
            check=True, env=environment, capture_output=True, text=True,
        )
        return done.stdout.strip()

    def load(self, source, layer, table):
        """Copy a layer of a GDAL-readable file into a table (with an integer key ``fid``)."""
        subprocess.run(
            ["ogr2ogr", "-f", "PostgreSQL", f"PG:{self.connection}", source, layer, "-nln", table, "-lco", "FID=fid", "-lco", "GEOMETRY_NAME=geom", "-overwrite"],
            check=True, capture_output=True, text=True,
        )

    def qgis_uri(self, table, where=""):
        """The layer source QGIS's PostgreSQL provider opens."""
        uri = f"dbname='{DATABASE}' host=127.0.0.1 port={self.port} user='{USER}' password='{PASSWORD}' key='fid' table=\"public\".\"{table}\" (geom)"
        return uri + (f" sql={where}" if where else "")

    def stop(self):
        try:
            self._run(os.path.join(BINARIES, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def register_in_profile(environment, name, uri_items):
    """Save a PostgreSQL connection in the qgis_process profile of ``environment``, as QGIS 3.22 stores it."""
    from qgis.PyQt.QtCore import QSettings

    path = os.path.join(environment["QGIS_CUSTOM_CONFIG_PATH"], "profiles", "default", "QGIS", "QGIS3.ini")
    store = QSettings(path, QSettings.Format.IniFormat)
    for key, value in uri_items.items():
        store.setValue(f"PostgreSQL/connections/{name}/{key}", value)
    store.sync()
