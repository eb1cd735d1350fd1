#!/usr/bin/python3
"""Writes the hand-made seed corpus of every fuzz target into tests/fuzz/corpus/<target>/.

The seeds are small valid (and a few nearly valid) inputs of each format, so that the fuzzer starts from
the structure real inputs have. Images are drawn here with Pillow, small enough to keep each seed a few
kilobytes. Run with Debian's /usr/bin/python3 (it has Pillow); it rewrites the files named below and
leaves other files of the corpus (inputs added by `scripts/fuzz.sh --merge`, crash reproducers) alone.
"""

import base64
import gzip
import io
import json
import pathlib
import struct

from PIL import Image, ImageDraw

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"
TOKEN = "fuzz-token"  # the bearer token fuzz_http's node requires


def write(target, name, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)


def picture(width, height, mode="RGB"):
    image = Image.new("RGB", (width, height), (40, 90, 160))
    draw = ImageDraw.Draw(image)
    draw.rectangle([width // 4, height // 4, width * 3 // 4, height * 3 // 4], fill=(230, 200, 30))
    draw.ellipse([2, 2, width // 3, height // 3], fill=(200, 30, 60))
    return image.convert(mode)


def encoded(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def images():
    return {
        "baseline.jpg": encoded(picture(32, 24), "JPEG", quality=60),
        "progressive.jpg": encoded(picture(24, 16), "JPEG", quality=50, progressive=True),
        "gray.jpg": encoded(picture(16, 16, "L"), "JPEG", quality=70),
        "subsampled-444.jpg": encoded(picture(17, 9), "JPEG", quality=80, subsampling=0),
        "cmyk.jpg": encoded(picture(16, 8, "CMYK"), "JPEG", quality=60),
        "restart.jpg": encoded(picture(48, 16), "JPEG", quality=40, restart_marker_blocks=1),
        "rgb.png": encoded(picture(20, 14), "PNG"),
        "rgba.png": encoded(picture(12, 12, "RGBA"), "PNG"),
        "palette.png": encoded(picture(16, 10, "P"), "PNG"),
        "gray16.png": encoded(picture(8, 8, "L").convert("I"), "PNG"),
        "lossy.webp": encoded(picture(24, 18), "WEBP", quality=50),
        "lossless.webp": encoded(picture(10, 10), "WEBP", lossless=True),
        "alpha.webp": encoded(picture(12, 8, "RGBA"), "WEBP", quality=60),
    }


def image_seeds():
    # fuzz_image reads the last byte as the choice of preprocessing settings (0..3).
    for index, (name, data) in enumerate(images().items()):
        write("image", name, data + bytes([index % 4]))
    jpeg = images()["baseline.jpg"]
    write("image", "truncated.jpg", jpeg[: len(jpeg) // 2] + b"\x00")


def requests():
    jpeg = images()["baseline.jpg"]
    b64 = base64.b64encode(jpeg).decode()
    annotations = [{"category_id": 1, "bbox": [1, 2, 10, 8]},
                   {"id": 7, "category_id": 2, "bbox": [12.5, 3, 4, 4], "area": 12, "iscrowd": 0}]
    json_request = {"image_id": 42, "image_b64": b64, "annotations": annotations, "request_id": "r-1",
                    "run_id": "run-0001", "preprocess": "grayscale=1,resize=50,quality=40"}
    forwarded = {"image_id": 7, "image_b64": b64, "annotations": annotations, "original_width": 64,
                 "original_height": 48, "scale_x": 0.5, "scale_y": 0.5, "edge": "edge-1",
                 "edge_detections": [{"category_id": 1, "bbox": [0, 0, 4, 4], "score": 0.75}],
                 "preprocess": {"grayscale": True, "resize": 75, "format": "png"}}
    metadata = {"image_id": 3, "annotations": annotations[:1], "preprocess": "BW,0,quality,50%,resize,75%"}
    response = {"image_id": 42, "node": "edge-1", "request_id": "r-1", "run_id": "run-0001", "detector": "fixed",
                "preprocess": "grayscale=0,resize=100,format=original,quality=95",
                "detections": [{"category_id": 1, "bbox": [0, 0, 16, 12], "score": 0.9}],
                "metrics": {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1, "f1": 0.667,
                            "ground_truth": 1, "detections": 2},
                "image": {"bytes_in": 900, "bytes_out": 900, "width_in": 32, "height_in": 24,
                          "width_out": 32, "height_out": 24},
                "timings": {"parse": {"wall_ms": 0.1, "cpu_ms": 0.1}, "total": {"wall_ms": 2, "cpu_ms": 1.5},
                            "decode_ms": 0.3, "model_forward_ms": 1},
                "forward": {"status": "ok", "http_status": 200, "error": "", "bytes_sent": 1200},
                "cloud": {"image_id": 42, "node": "cloud", "detections": []}}
    return jpeg, json_request, forwarded, metadata, response


def infer_json_seeds():
    _, json_request, forwarded, metadata, response = requests()
    write("infer_json", "request.json", json.dumps(json_request))
    write("infer_json", "forwarded.json", json.dumps(forwarded))
    write("infer_json", "metadata.json", json.dumps(metadata))
    write("infer_json", "response.json", json.dumps(response))
    write("infer_json", "minimal.json", '{"image_id": 1, "image_b64": "/9j/"}')
    write("infer_json", "error-response.json", '{"image_id": 1, "forward": {"status": "timeout"}, "metrics": null}')


def http_request(method, path, body=b"", content_type=None, extra=()):
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Authorization: Bearer {TOKEN}"]
    if content_type:
        head.append(f"Content-Type: {content_type}")
    if body or method in ("POST", "PUT"):
        head.append(f"Content-Length: {len(body)}")
    head.extend(extra)
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def multipart(parts, boundary="edgebench-0123456789abcdef"):
    body = b""
    for name, data, content_type, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
                 .encode() + data + b"\r\n")
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def http_seeds():
    jpeg, json_request, _, metadata, _ = requests()
    png = images()["rgb.png"]
    write("http", "healthz.http", http_request("GET", "/healthz"))
    write("http", "get-config.http", http_request("GET", "/v1/config"))
    write("http", "hw-sample.http", http_request("POST", "/v1/hw/sample"))
    write("http", "put-config.http", http_request(
        "PUT", "/v1/config", json.dumps({"preprocess": {"grayscale": 1, "resize": 50}, "score_threshold": 0.3,
                                         "detector_options": {"max_detections": 2}}).encode(), "application/json"))
    write("http", "put-detector-none.http", http_request("PUT", "/v1/config", b'{"detector": "none", "run_id": "x"}',
                                                          "application/json"))
    write("http", "infer-json.http", http_request("POST", "/v1/infer", json.dumps(json_request).encode(),
                                                  "application/json"))
    body, content_type = multipart([("image", jpeg, "image/jpeg", "image"),
                                    ("metadata", json.dumps(metadata).encode(), "application/json", "")])
    write("http", "infer-multipart.http", http_request("POST", "/v1/infer", body, content_type))
    body, content_type = multipart([("image", png, "image/png", "image.png")])
    write("http", "infer-multipart-image-only.http", http_request("POST", "/v1/infer", body, content_type))
    compressed = gzip.compress(json.dumps(json_request).encode())
    write("http", "infer-gzip.http", http_request("POST", "/v1/infer", compressed, "application/json",
                                                  ["Content-Encoding: gzip"]))
    chunked_body = json.dumps(json_request).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunked_body[i:i + 500]), chunked_body[i:i + 500])
                      for i in range(0, len(chunked_body), 500)) + b"0\r\n\r\n"
    head = (f"POST /v1/infer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    write("http", "infer-chunked.http", head + chunks)
    write("http", "pipelined.http", http_request("GET", "/healthz") + http_request(
        "POST", "/v1/infer", b'{"image_id": 1}', "application/json") + http_request("GET", "/v1/config"))
    write("http", "unauthorized.http", b"GET /v1/config HTTP/1.1\r\nHost: x\r\n\r\n")
    write("http", "expect-continue.http", http_request("POST", "/v1/infer", b'{"image_id": 2, "image_b64": "AAAA"}',
                                                       "application/json", ["Expect: 100-continue"]))
    write("http", "head.http", http_request("HEAD", "/healthz") + http_request("GET", "/nowhere?x=1&y=%20"))


def base64_seeds():
    write("base64", "image.b64", base64.b64encode(images()["gray.jpg"]).decode())
    write("base64", "padded1.b64", "QUJDRA==")
    write("base64", "padded2.b64", "QUJDREU=")
    write("base64", "unpadded.b64", "QUJDREU")
    write("base64", "bad-char.b64", "QUJD\nREU=")


def config_seeds():
    write("config", "edge.json", json.dumps({
        "name": "edge-2", "detector": "none", "preprocess": "grayscale=1,resize=50,quality=40",
        "detector_options": {"score_threshold": 0.2, "nms_iou_threshold": 0.6, "max_detections": 50,
                             "device": "cpu", "threads": 2, "warmup_runs": 0},
        "cloud_url": "http://127.0.0.1:8100", "cloud_token": "t", "forward_timeout_s": 2.5,
        "link": {"bandwidth_mbps": 10, "latency_ms": 20}, "iou_threshold": 0.5, "score_threshold": 0.4,
        "run_id": "run-0003", "max_image_pixels": 4000000}))
    write("config", "cloud.json", json.dumps({
        "name": "cloud", "detector": "opencv:hog", "detector_options": {"device": "cuda:1"},
        "iou_threshold": 0.75, "score_threshold": 0.05, "run_id": "", "max_image_pixels": 1}))
    write("config", "preprocess-object.json", '{"preprocess": {"resize": "75%", "format": "webp", "quality": 30}}')
    write("config", "empty.json", "{}")


def coco_dataset_seeds():
    dataset = {
        "info": {"description": "fuzz seed", "year": 2024},
        "licenses": [{"id": 1, "name": "CC"}],
        "images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480, "license": 1},
                   {"id": 2, "file_name": "sub/b.png", "width": 32, "height": 24}],
        "categories": [{"id": 1, "name": "person", "supercategory": "human"}, {"id": 3, "name": "car"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 20, 30, 40], "area": 1100, "iscrowd": 0,
             "segmentation": [[10, 20, 40, 20, 40, 60]]},
            {"id": 2, "image_id": 1, "category_id": 3, "bbox": [0, 0, 640, 480], "iscrowd": 1},
            {"id": 5, "image_id": 2, "category_id": 3, "bbox": [1.5, 2.5, 3, 4]}]}
    write("coco_dataset", "instances.json", json.dumps(dataset))
    write("coco_dataset", "no-annotations.json", json.dumps({"images": dataset["images"][:1],
                                                             "categories": dataset["categories"][:1]}))
    write("coco_dataset", "float-ids.json",
          '{"images":[{"id":1.0,"file_name":"x","width":2,"height":2}],"categories":[{"id":7,"name":"c"}],'
          '"annotations":[{"id":9,"image_id":1,"category_id":7,"bbox":[0,0,1,1],"iscrowd":true}]}')


def coco_results_seeds():
    results = [{"image_id": 1, "category_id": 1, "bbox": [12, 22, 98, 190], "score": 0.95},
               {"image_id": 1, "category_id": 1, "bbox": [100, 100, 50, 50], "score": 0.4},
               {"image_id": 1, "category_id": 3, "bbox": [301, 300, 20, 10], "score": 0.8},
               {"image_id": 2, "category_id": 3, "bbox": [5, 5, 300, 200], "score": 0.5},
               {"image_id": 2, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.01}]
    write("coco_results", "results.json", json.dumps(results))
    write("coco_results", "empty.json", "[]")
    write("coco_results", "crowd-hit.json", '[{"image_id":1,"category_id":1,"bbox":[0,0,600,400],"score":0.3}]')


EXPERIMENT = """\
name: fuzz-seed
dataset: {synthetic: {count: 4, seed: 7, width: 320, height: 240, min_objects: 1, max_objects: 3}}
images: 2
image_seed: 11
repetitions: 2
placement: both
edges:
  count: 2
  detector: none
  detector_options: {score_threshold: 0.1, max_detections: 20}
  preprocess: "BW,0,quality,50%,resize,75%"
network: {bandwidth_mbps: 10, latency_ms: 5}
cloud: {detector: "opencv:hog", detector_options: {warmup_runs: 0}}
workload: {schedule: closed, concurrency: 2, requests: 8, warmup: 1, format: multipart, timeout_s: 5}
thresholds: {iou: 0.5, score: 0.3}
backend: local
grid:
  edges.preprocess.quality: [30, 60]
  network.bandwidth_mbps: [1, 100]
"""

EXPERIMENT_LIST = """\
dataset:
  synthetic:
    count: 2
edges:
  - name: left
    preprocess: {grayscale: 1, resize: 50}
    network: {latency_ms: 10}
  - name: right
    detector: none
    preprocess: "format=png"
workload:
  schedule: open
  rate: 20
  duration_s: 1.5
grid:
  edges.detector: {permutations: [none, "opencv:hog"], size: 2}
  edges[1].preprocess.resize: [25, 50]
  workload.rate: [5, 10]
"""


def experiment_seeds():
    write("experiment", "grid.yaml", EXPERIMENT)
    write("experiment", "edge-list.yaml", EXPERIMENT_LIST)
    write("experiment", "json.yaml", json.dumps({"dataset": {"coco": {"instances": "/dev/null"}},
                                                 "edges": [{"name": "e", "detector": "onnx:nanodet:m.onnx"}],
                                                 "workload": {"schedule": "round-robin", "images_per_edge": 2,
                                                              "repeats": 1, "distinct_images": True}}))
    write("experiment", "anchors.yaml", "dataset: &d {synthetic: {count: 1}}\nedges: [{name: a, preprocess: &p "
                                        "'resize=50'}, {name: b, preprocess: *p}]\n")


def preprocess_config_seeds():
    for index, text in enumerate(["grayscale=0,resize=75,quality=50", "BW,0,quality,50%,resize,75%",
                                  "max_side=640,format=webp,quality=80", "format=original", "",
                                  " Gray = yes , RESIZE = 12.5% ", "encoding=png,resize=400", "bw,1"]):
        write("preprocess_config", f"settings-{index}.txt", text)


def detector_spec_seeds():
    for index, text in enumerate(["none", "opencv:hog", "onnx:nanodet:model.onnx", "onnx:yolov8@640x384:m.onnx",
                                  "onnx:fastestdet@352:/models/f.onnx", "torchscript:model.pt", "builtin",
                                  "opencv:hog\n{\"score_threshold\": 0.3, \"max_detections\": 1}",
                                  "none\n{\"device\": \"cuda:0\"}"]):
        write("detector_spec", f"spec-{index}.txt", text)


def varint(value):
    out = b""
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def field(number, payload):
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def onnx_model(dims, initializer_named_like_input=False):
    """A ModelProto with one graph input of the given dims (int: dim_value, str: dim_param)."""
    shape = b"".join(field(1, varint(1 << 3) + varint(d) if isinstance(d, int) else field(2, d.encode()))
                     for d in dims)
    value_info = field(1, b"images") + field(2, field(1, varint(1 << 3) + varint(1) + field(2, shape)))
    graph = field(1, b"node-bytes") + field(2, b"graph") + field(11, value_info)
    if initializer_named_like_input:
        graph = field(5, field(8, b"images")) + graph + field(11, field(1, b"second"))
    return varint(1 << 3) + varint(8) + field(7, graph)


def onnx_shape_seeds():
    write("onnx_shape", "fixed.onnx", onnx_model([1, 3, 320, 320]))
    write("onnx_shape", "symbolic.onnx", onnx_model(["batch", 3, "h", "w"]))
    write("onnx_shape", "initializer.onnx", onnx_model([1, 3, 64, 64], initializer_named_like_input=True))


def csv_seeds():
    runs = ("run_id,status,error,started_unix,finished_unix,duration_s,detector,preprocess,axis:edges.preprocess.quality\n"
            "run-0001,ok,,1700000000,1700000010,10,none,\"grayscale=0,resize=75\",30\n"
            "run-0002,failed,\"edge exited, code 1\",1700000010,1700000011,1,none,x,60\n")
    summary = ("run_id,node,map,ap50,f1,latency_p50_ms,latency_p99_ms,throughput_rps,bytes_ratio\n"
               "run-0001,edge-1,0.5,0.7,0.6,12.5,40,80,0.3\n")
    write("csv", "result-set.csv", runs + "\f" + summary)
    write("csv", "cells.csv", 'plain\x1f"quoted, with comma"\x1fline\nbreak')


def main():
    image_seeds()
    infer_json_seeds()
    http_seeds()
    base64_seeds()
    config_seeds()
    coco_dataset_seeds()
    coco_results_seeds()
    experiment_seeds()
    preprocess_config_seeds()
    detector_spec_seeds()
    onnx_shape_seeds()
    csv_seeds()


if __name__ == "__main__":
    main()
