#!/usr/bin/env python3
"""The original study's serving stack, rebuilt as a yardstick: a Flask edge that base64-decodes the image,
resizes and re-encodes it with PIL and forwards it base64-encoded as JSON to a Flask cloud with
`requests`. serving_bench.py runs it beside edgebench's edge and cloud, with the same client, images and
settings, so that "x the original stack" is measured in the same minutes on the same cores instead of
being compared with a figure taken when the machine was faster.

It speaks just enough of edgebench's JSON wire format (POST /v1/infer with `image_b64`; the answer names
`image_id`) for edgebench-workload to drive it. Where the study's code is not known, it takes the
cheaper choice: Flask's own threaded server, the cloud reads only the image header, no records written.

    /usr/bin/python3 bench/original_stack.py edge  --cloud URL [--port 0 --port-file F] [--resize 75] [--quality 50]
    /usr/bin/python3 bench/original_stack.py cloud [--port 0 --port-file F]
"""

import argparse
import base64
import io
import logging
import sys

try:
    import requests
    from flask import Flask, jsonify, request
    from PIL import Image
    from werkzeug.serving import make_server
except ImportError as missing:  # pragma: no cover - reported to the caller
    sys.exit(f"original_stack: {missing.name} is missing; install python3-flask, python3-requests and python3-pil")


def edge_app(cloud_url, resize_percent, quality):
    app = Flask("original-edge")
    session = requests.Session()

    @app.post("/v1/infer")
    def infer():
        document = request.get_json()
        data = base64.b64decode(document["image_b64"])
        image = Image.open(io.BytesIO(data)).convert("RGB")
        width, height = image.size
        size = (max(1, width * resize_percent // 100), max(1, height * resize_percent // 100))
        image = image.resize(size)
        encoded = io.BytesIO()
        image.save(encoded, format="JPEG", quality=quality)
        forwarded = {"image_id": document["image_id"], "request_id": document.get("request_id", ""),
                     "image_b64": base64.b64encode(encoded.getvalue()).decode("ascii")}
        reply = session.post(cloud_url + "/v1/infer", json=forwarded, timeout=30)
        return jsonify({"image_id": document["image_id"], "request_id": document.get("request_id", ""),
                        "node": "original-edge",
                        "image": {"bytes_in": len(data), "bytes_out": encoded.tell(), "width_in": width,
                                  "height_in": height, "width_out": size[0], "height_out": size[1]},
                        "forward": {"status": "ok" if reply.ok else "failed", "http_status": reply.status_code},
                        "cloud": reply.json()})

    return app


def cloud_app():
    app = Flask("original-cloud")

    @app.post("/v1/infer")
    def infer():
        document = request.get_json()
        data = base64.b64decode(document["image_b64"])
        width, height = Image.open(io.BytesIO(data)).size  # the header only
        return jsonify({"image_id": document["image_id"], "request_id": document.get("request_id", ""),
                        "node": "original-cloud",
                        "image": {"bytes_in": len(data), "width_in": width, "height_in": height}})

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("role", choices=["edge", "cloud"])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--port-file", help="where to write the port once it listens, as the node programs do")
    parser.add_argument("--cloud", help="the cloud's base URL (edge only)")
    parser.add_argument("--resize", type=int, default=75, help="percent (edge only)")
    parser.add_argument("--quality", type=int, default=50, help="JPEG quality (edge only)")
    options = parser.parse_args()
    if options.role == "edge" and not options.cloud:
        parser.error("the edge needs --cloud")
    app = edge_app(options.cloud, options.resize, options.quality) if options.role == "edge" else cloud_app()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on stderr

    # What app.run(threaded=True) serves with, made here so that the port is written only once it listens.
    server = make_server("127.0.0.1", options.port, app, threaded=True)
    if options.port_file:
        with open(options.port_file, "w") as port_file:
            port_file.write(f"{server.port}\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
