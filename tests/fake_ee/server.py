"""A fake Earth Engine REST server on 127.0.0.1, for the real earthengine-api client.

    python -m tests.fake_ee.server --assets ASSETS.json [--port 0]

prints ``listening http://127.0.0.1:PORT`` and serves until killed. The discovery document and the
algorithm list come from the installed earthengine-api package (its own test files, v1alpha read
as v1), so nothing of Google's is copied here. Routes:

- ``GET /$discovery/rest``, ``GET /v1/projects/P/algorithms``: what ``ee.Initialize`` reads;
- ``GET /v1/projects/P/assets/ID``: an asset's type (``ee.data.getAsset``);
- ``POST /v1/projects/P/value:compute`` and ``/table:computeFeatures`` (paged by ``pageSize`` and
  ``pageToken``): expressions evaluated by ``evaluator.Evaluator``; anything it does not know
  answers 400 "fake server does not support ...";
- ``POST /token``: the OAuth token exchange of a service account (a JWT signed by a key
  registered through ``/control/keys``), or of stored user credentials (a refresh token
  registered through ``/control/refresh_tokens``), answering ``fake-token-N``; once a key is
  registered, API calls without a token it issued answer 401;
- ``POST /control/errors``: errors to inject, ``[{"route": "computeFeatures", "status": 400,
  "message": ..., "times": n, "min_units": k}]`` (an error applies to requests of at least
  ``min_units`` features, ``times`` times; status 0 hangs the request for ``seconds``);
- ``GET /control/requests``: what was asked (route, units, body bytes, tileScale, page token,
  workload tag, project header); ``GET /control/most_active``: the most ``computeFeatures``
  answered at once; ``POST /control/delay``: seconds each of them takes; ``POST /control/reset``
  forgets all that.

Earth Engine's limits are enforced with its messages: bodies over 10 MiB, ``value:compute`` of
collections over 5000 elements.
"""

import argparse
import base64
import itertools
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .evaluator import EvaluationError, Evaluator, Feature, Projection, Unsupported, load_image

REQUEST_LIMIT = 10485760
PAYLOAD_MESSAGE = "Request payload size exceeds the limit: 10485760 bytes."
ELEMENT_LIMIT = 5000


def _package_file(name):
    import ee

    return os.path.join(os.path.dirname(ee.__file__), "tests", name)


class FakeEarthEngine:
    def __init__(self, assets):
        self.assets = assets
        images = {}
        for asset_id, spec in assets.get("images", {}).items():
            images[asset_id] = (lambda spec=spec: load_image(spec["path"], spec.get("bands"), spec.get("properties"), spec.get("crs_name")))
        self.evaluator = Evaluator(images, assets.get("collections", {}))
        self.requests, self.errors, self.keys, self.tokens, self.refresh_tokens = [], [], {}, set(), set()
        # computeFeatures requests being answered now, the most at once, and a delay for each.
        self.active, self.most_active, self.delay = 0, 0, 0.0
        # Hung requests wait on this; a reset ends them, so that none outlives its test.
        self.wake = threading.Event()
        self.lock = threading.Lock()
        self.counter = itertools.count(1)
        with open(_package_file("cloud_api_discovery_document.json"), encoding="utf-8") as handle:
            self.discovery_text = handle.read().replace("v1alpha", "v1")
        with open(_package_file("algorithms.json"), encoding="utf-8") as handle:
            self.algorithms = handle.read()

    def discovery(self, base):
        document = json.loads(self.discovery_text)
        document["rootUrl"] = base + "/"
        document["baseUrl"] = base + "/"
        return document

    def injected(self, route, units):
        with self.lock:
            for error in self.errors:
                if error["route"] in route and units >= error.get("min_units", 0) and error.get("times", 1) != 0:
                    error["times"] = error.get("times", 1) - 1
                    return dict(error)
        return None


def _jwt_payload(assertion, keys):
    """The claims of a service account's JWT, after checking its RS256 signature; None if refused."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    def decode(part):
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))

    try:
        header, payload, signature = assertion.split(".")
        claims = json.loads(decode(payload))
        public = keys.get(claims.get("iss"))
        if public is None:
            return None
        key = serialization.load_pem_public_key(public.encode())
        key.verify(decode(signature), f"{header}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return claims
    except Exception:  # noqa: BLE001 - any malformed or badly signed token is refused
        return None


def make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status, message, reason="INVALID_ARGUMENT"):
            self._send(status, {"error": {"code": status, "message": message, "status": reason}})

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _base(self):
            return f"http://{self.headers.get('Host')}"

        def _authorised(self):
            if not fake.keys:
                return True
            header = self.headers.get("Authorization", "")
            return header.startswith("Bearer ") and header[7:] in fake.tokens

        def do_GET(self):  # noqa: N802
            path = self.path.split("?", 1)[0]
            if path == "/control/most_active":
                return self._send(200, {"most_active": fake.most_active})
            if path == "/$discovery/rest":
                return self._send(200, fake.discovery(self._base()))
            if path == "/control/requests":
                with fake.lock:
                    return self._send(200, list(fake.requests))
            if not self._authorised():
                return self._error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
            if re.fullmatch(r"/v1/projects/[^/]+/algorithms", path):
                self._record("algorithms", {})
                return self._send(200, fake.algorithms.encode())
            match = re.fullmatch(r"/v1/projects/[^/]+/assets/(.+)", path)
            if match:
                asset_id = match.group(1)
                self._record("getAsset", {"asset": asset_id})
                if asset_id in fake.assets.get("images", {}):
                    return self._send(200, {"type": "IMAGE", "name": f"projects/earthengine-public/assets/{asset_id}", "id": asset_id})
                if asset_id in fake.assets.get("collections", {}):
                    return self._send(200, {"type": "IMAGE_COLLECTION", "name": f"projects/earthengine-public/assets/{asset_id}", "id": asset_id})
                if asset_id in fake.assets.get("tables", []):
                    return self._send(200, {"type": "TABLE", "name": f"projects/earthengine-public/assets/{asset_id}", "id": asset_id})
                return self._error(404, f"Asset 'projects/earthengine-public/assets/{asset_id}' does not exist or doesn't allow this operation.", "NOT_FOUND")
            return self._error(400, f"fake server does not support GET {path}")

        def _record(self, route, extra):
            with fake.lock:
                fake.requests.append({"route": route, "project": self.headers.get("X-Goog-User-Project"),
                                      "authorization": self.headers.get("Authorization", "")[:7], **extra})

        def do_POST(self):  # noqa: N802
            path = self.path.split("?", 1)[0]
            body = self._body()
            if path == "/token":
                from urllib.parse import parse_qs

                form = parse_qs(body.decode())
                if form.get("grant_type") == ["refresh_token"]:
                    # Stored user credentials (earthengine authenticate): a refresh token it was told.
                    accepted = form.get("refresh_token", [""])[0] in fake.refresh_tokens
                    self._record("token", {"accepted": accepted, "grant": "refresh_token"})
                    if not accepted:
                        return self._send(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
                    token = f"fake-token-{next(fake.counter)}"
                    fake.tokens.add(token)
                    return self._send(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})
                claims = _jwt_payload(form.get("assertion", [""])[0], fake.keys)
                self._record("token", {"accepted": claims is not None, "grant": "jwt"})
                if claims is None:
                    return self._send(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
                token = f"fake-token-{next(fake.counter)}"
                fake.tokens.add(token)
                return self._send(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})
            if path == "/control/errors":
                with fake.lock:
                    fake.errors = json.loads(body)
                return self._send(200, {})
            if path == "/control/keys":
                fake.keys.update(json.loads(body))
                return self._send(200, {})
            if path == "/control/refresh_tokens":
                fake.refresh_tokens.update(json.loads(body))
                return self._send(200, {})
            if path == "/control/reset":
                with fake.lock:
                    fake.requests, fake.errors, fake.delay = [], [], 0.0
                    fake.wake.set()
                    fake.wake = threading.Event()
                deadline = time.monotonic() + 10
                while fake.active and time.monotonic() < deadline:
                    time.sleep(0.01)
                fake.most_active = 0
                return self._send(200, {})
            if path == "/control/delay":
                fake.delay = float(json.loads(body)["seconds"])
                return self._send(200, {})
            route = path.rsplit("/", 1)[-1]
            if route not in ("value:compute", "table:computeFeatures"):
                return self._error(400, f"fake server does not support POST {path}")
            if not self._authorised():
                return self._error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED")
            request = json.loads(body)
            units = _count_features(request.get("expression", {}))
            self._record(route, {"units": units, "bytes": len(body), "workload_tag": request.get("workloadTag"),
                                 "page_token": request.get("pageToken"), "page_size": request.get("pageSize"),
                                 "tile_scale": _tile_scale(request.get("expression", {}))})
            if len(body) > REQUEST_LIMIT:
                return self._error(400, PAYLOAD_MESSAGE)
            if route == "table:computeFeatures":
                with fake.lock:
                    fake.active += 1
                    fake.most_active = max(fake.most_active, fake.active)
                try:
                    time.sleep(fake.delay)
                    return self._compute(route, request, units)
                finally:
                    with fake.lock:
                        fake.active -= 1
            return self._compute(route, request, units)

        def _compute(self, route, request, units):
            error = fake.injected(route, units)
            if error:
                if error["status"] == 0:
                    fake.wake.wait(error.get("seconds", 60))
                    return self._error(500, "hung")
                return self._error(error["status"], error["message"], error.get("reason", "INVALID_ARGUMENT"))
            try:
                value = fake.evaluator.evaluate(request["expression"])
            except Unsupported as unsupported:
                return self._error(400, f"fake server does not support {unsupported}")
            except EvaluationError as failure:
                return self._error(400, str(failure))
            if route == "value:compute":
                if isinstance(value, list) and len(value) > ELEMENT_LIMIT:
                    return self._error(400, f"Collection query aborted after accumulating over {ELEMENT_LIMIT} elements.")
                return self._send(200, {"result": _json_value(value)})
            if not isinstance(value, list):
                return self._error(400, "fake server: computeFeatures needs a FeatureCollection")
            size = int(request.get("pageSize") or 1000)
            start = int(request.get("pageToken") or 0)
            page = value[start:start + size]
            answer = {"type": "FeatureCollection", "features": [_json_value(feature) for feature in page]}
            if start + size < len(value):
                answer["nextPageToken"] = str(start + size)
            return self._send(200, answer)

    return Handler


def _json_value(value):
    if isinstance(value, Feature):
        geometry = None
        if value.geometry is not None:
            import shapely

            geometry = json.loads(shapely.to_geojson(value.geometry[0]))
        return {"type": "Feature", "geometry": geometry, "properties": value.properties}
    if isinstance(value, Projection):
        return {"type": "Projection", "crs": value.crs, "transform": value.transform}
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    raise Unsupported(f"returning a {type(value).__name__}")


def _count_features(expression):
    return json.dumps(expression).count('"functionName": "Feature"')


def _tile_scale(expression):
    match = re.search(r'"tileScale": \{"constantValue": ([0-9.]+)\}', json.dumps(expression))
    return float(match.group(1)) if match else 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", required=True)
    parser.add_argument("--port", type=int, default=0)
    options = parser.parse_args()
    with open(options.assets, encoding="utf-8") as handle:
        fake = FakeEarthEngine(json.load(handle))
    server = ThreadingHTTPServer(("127.0.0.1", options.port), make_handler(fake))
    print(f"listening http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
