"""Fixtures of the Earth Engine tests: GeoTIFFs registered as assets of a fake Earth Engine server
(tests/fake_ee) started on 127.0.0.1, and a service-account key generated at test time whose token
endpoint is that server's. Earth Engine itself cannot be reached from here: the real
earthengine-api client talks to the fake."""

import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass

import numpy as np
import shapely
from osgeo import gdal

from tools import datagen

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRS = "EPSG:32758"
LEFT, TOP, CELL, COLUMNS, ROWS = 650_000.0, 7_550_000.0, 100.0, 80, 60
NODATA = -9999.0
PROJECT = "geoindicators-fake"
SINUSOID = "+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs"
CLIENT_EMAIL = "geoindicators-test@geoindicators-fake.iam.gserviceaccount.com"
# A unit entirely in the raster's nodata block, and one partly outside the raster.
DATES = ["2020-01-15", "2020-06-15", "2021-01-15"]


def write_raster(path, bands, nodata=NODATA, data_type=gdal.GDT_Float32):
    return datagen.write_raster(path, bands, LEFT, TOP, CELL, epsg=32758, nodata=nodata, dtype=data_type, tile=16)


def raster_values(seed):
    rng = np.random.default_rng(seed)
    rows, columns = np.mgrid[0:ROWS, 0:COLUMNS]
    values = 0.3 + 0.4 * np.sin(columns / 9.0) * np.cos(rows / 7.0) + rng.normal(0, 0.05, (ROWS, COLUMNS))
    values[5:15, 60:75] = NODATA  # a nodata block
    return values


def class_values():
    rows, columns = np.mgrid[0:ROWS, 0:COLUMNS]
    classes = 1 + ((rows // 7 + columns // 11) % 4)
    classes[40:50, 0:10] = 255  # nodata
    return classes


def units(count=40, seed=3):
    """Irregular polygons over the raster (some with holes, one multipolygon, one partly outside)."""
    rng = np.random.default_rng(seed)
    out = []
    for index in range(count):
        x = LEFT + rng.uniform(300, COLUMNS * CELL - 300)
        y = TOP - rng.uniform(300, ROWS * CELL - 300)
        angles = np.sort(rng.uniform(0, 2 * np.pi, 9))
        radii = rng.uniform(120, 600, 9)
        polygon = shapely.Polygon(np.c_[x + radii * np.cos(angles), y + radii * np.sin(angles)])
        if index % 7 == 3:
            polygon = polygon.difference(shapely.Point(x, y).buffer(60))
        out.append(shapely.make_valid(polygon))
    out.append(shapely.MultiPolygon([shapely.box(LEFT + 1000, TOP - 1500, LEFT + 1430, TOP - 1220), shapely.box(LEFT + 2050, TOP - 900, LEFT + 2330, TOP - 610)]))
    out.append(shapely.box(LEFT - 350, TOP - 2000, LEFT + 420, TOP - 1300))  # partly outside the raster
    out.append(shapely.box(LEFT + 6150, TOP - 1350, LEFT + 7200, TOP - 650))  # in the nodata block of the values
    return out


def small_squares(count):
    """``count`` small squares over the raster, for paging."""
    side = 90.0
    per_row = int((COLUMNS * CELL - 200) // 130)
    return [shapely.box(LEFT + 100 + (i % per_row) * 130, TOP - 100 - (i // per_row) * 130 - side, LEFT + 100 + (i % per_row) * 130 + side,
                        TOP - 100 - (i // per_row) * 130) for i in range(count)]


@dataclass
class FakeServer:
    url: str
    process: subprocess.Popen
    folder: str
    key_file: str

    def control(self, route, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + route, data=data, method="GET" if data is None else "POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def requests(self, route=None):
        found = self.control("/control/requests")
        return [entry for entry in found if route is None or entry["route"] == route]

    def reset(self):
        self.control("/control/reset", {})

    def errors(self, errors):
        self.control("/control/errors", errors)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def make_assets(folder):
    values = raster_values(1)
    second = np.where(values == NODATA, NODATA, 100.0 + 50.0 * values)
    write_raster(os.path.join(folder, "values.tif"), [values, second])
    write_raster(os.path.join(folder, "classes.tif"), [class_values()], nodata=255, data_type=gdal.GDT_Byte)
    assets = {"images": {"users/test/values": {"path": os.path.join(folder, "values.tif"), "bands": ["ndvi", "elevation"]},
                         "users/test/classes": {"path": os.path.join(folder, "classes.tif"), "bands": ["landcover"]}},
              "collections": {"users/test/series": []}, "tables": ["users/test/table"]}
    from datetime import datetime, timezone

    for number, date in enumerate(DATES):
        path = os.path.join(folder, f"series_{number}.tif")
        series = raster_values(10 + number)
        if number == 2:  # an outlier image: its median and mean composites differ by about a third
            series = np.where(series == NODATA, NODATA, series + 1.0)
        write_raster(path, [series])
        name = f"users/test/series/{date}"
        millis = datetime.fromisoformat(date).replace(tzinfo=timezone.utc).timestamp() * 1000
        assets["images"][name] = {"path": path, "bands": ["ndvi"], "properties": {"system:time_start": millis}}
        assets["collections"]["users/test/series"].append(name)
    # The values again in MODIS' sinusoid, a projection Earth Engine names SR-ORG:6974 and QGIS does not know.
    sinusoidal = os.path.join(folder, "sinusoidal.tif")
    gdal.Warp(sinusoidal, os.path.join(folder, "values.tif"), dstSRS=SINUSOID, xRes=CELL, yRes=CELL, resampleAlg="near")
    assets["images"]["users/test/sinusoidal"] = {"path": sinusoidal, "bands": ["ndvi", "elevation"], "crs_name": "SR-ORG:6974"}
    with open(os.path.join(folder, "assets.json"), "w", encoding="utf-8") as handle:
        json.dump(assets, handle)
    return assets


def service_account_key(folder, token_uri, email=CLIENT_EMAIL):
    """A key generated now (never committed), written to ``folder``; returns (path, public PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    key = {"type": "service_account", "project_id": PROJECT, "private_key_id": "test-key", "private_key": pem, "client_email": email,
           "client_id": "1", "token_uri": token_uri}
    path = os.path.join(folder, f"service-account-{email.split('@')[0]}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(key, handle)
    os.chmod(path, 0o600)
    return path, public


def start_fake(folder):
    make_assets(folder)
    process = subprocess.Popen([sys.executable, "-m", "tests.fake_ee.server", "--assets", os.path.join(folder, "assets.json")], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("listening "):
        process.kill()
        raise RuntimeError(f"the fake Earth Engine server did not start: {line!r}")
    url = line.split(" ", 1)[1]
    key_file, public = service_account_key(folder, url + "/token")
    server = FakeServer(url, process, folder, key_file)
    server.control("/control/keys", {CLIENT_EMAIL: public})
    return server


# Earth Engine reads stored user credentials from ~/.config/earthengine and Google's default ones
# from the environment and the GCE metadata server: none of them may be found, nor asked for,
# beyond loopback.
OFFLINE_ENVIRONMENT = {"NO_GCE_CHECK": "True", "GCE_METADATA_HOST": "127.0.0.1:9", "GCE_METADATA_IP": "127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost",
                       "no_proxy": "127.0.0.1,localhost"}
