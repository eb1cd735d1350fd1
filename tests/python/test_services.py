"""The node services, their HTTP server, the HTTP client, the wire protocol, the request log, checksums
and the downloader, used in-process from Python."""

import functools
import hashlib
import http.server
import json
import threading
import time

import pytest

import edgebench


@pytest.fixture(scope="module")
def image_and_truth():
    options = edgebench.SyntheticDatasetOptions(width=160, height=120, seed=4)
    image, annotations = edgebench.render_synthetic_image(options, 1)
    encoded = edgebench.Preprocessor(quality=90).process(image, want_image=False).encoded
    return encoded, annotations


def test_base64_round_trip():
    data = bytes(range(256))
    text = edgebench.base64_encode(data)
    assert edgebench.base64_decode(text) == data
    assert edgebench.base64_encode(b"edge") == "ZWRnZQ=="


def test_the_wire_protocol_round_trips(image_and_truth):
    encoded, annotations = image_and_truth
    request = edgebench.InferRequest(encoded, image_id=7, annotations=annotations, request_id="r-1",
                                     preprocess="quality=50")
    assert request.has_ground_truth and request.image == encoded
    parsed = edgebench.parse_infer_json(request.to_json())
    assert parsed.image_id == 7 and parsed.image == encoded and len(parsed.annotations) == len(annotations)
    assert parsed.preprocess == edgebench.PreprocessConfig.parse("quality=50")
    metadata = edgebench.infer_request_to_json(request, include_image=False)
    assert "image_b64" not in json.loads(metadata)
    again = edgebench.parse_infer_metadata(metadata, encoded)
    assert again.request_id == "r-1" and again.image == encoded
    with pytest.raises(edgebench.Error) as info:
        edgebench.parse_infer_json('{"image_id": 1}')
    assert info.value.field


def test_an_edge_service_in_process(image_and_truth, tmp_path):
    encoded, annotations = image_and_truth
    log = edgebench.RequestLog(tmp_path)
    edge = edgebench.EdgeService(edgebench.EdgeConfig(name="edge-x", preprocess="quality=40,resize=50"), log=log)
    assert isinstance(edge, edgebench.NodeService) and edge.name() == "edge-x"
    response = edge.infer(edgebench.InferRequest(encoded, image_id=3, annotations=annotations, request_id="a"))
    assert response.node == "edge-x" and response.image_id == 3 and response.detector == "none"
    detail = response.timings.preprocess_detail
    assert detail.width_out == 80 and detail.bytes_out < detail.bytes_in
    assert response.forward.status == edgebench.ForwardOutcome.Status.DISABLED
    assert response.to_dict()["node"] == "edge-x"
    assert edgebench.parse_infer_response(response.to_json()).request_id == "a"
    # A configuration change without a restart.
    edge.update_config({"preprocess": "quality=90"})
    assert edge.config()["preprocess"].endswith("quality=90")
    assert edge.edge_config.preprocess.quality == 90
    with pytest.raises(edgebench.Error):
        edge.update_config({"preprocess": "quality=500"})
    # The log has the row.
    rows = (tmp_path / "requests.csv").read_text().splitlines()
    assert rows[0].split(",") == list(edgebench.RequestLog.columns()) and len(rows) == 2


def test_a_python_detector_serves_on_the_edge(image_and_truth):
    encoded, annotations = image_and_truth

    class Oracle(edgebench.Detector):
        """Returns the ground truth it was built with."""

        def __init__(self, truth):
            super().__init__()
            self.truth = truth

        def detect(self, image):
            return [edgebench.Detection(a.category_id, a.bbox, 0.9) for a in self.truth]

        def categories(self):
            return edgebench.synthetic_categories()

    edge = edgebench.EdgeService(edgebench.EdgeConfig(name="edge-o"))
    edge.use_detector(Oracle(annotations), "oracle")
    response = edge.infer(edgebench.InferRequest(encoded, annotations=annotations))
    assert response.detector == "oracle" and response.metrics.f1 == pytest.approx(1.0)

    # The configuration names the supplied detector, and changing something else keeps it ...
    assert edge.edge_config.detector == "oracle" and json.loads(edge.config_json())["detector"] == "oracle"
    edge.update_config('{"preprocess": "quality=60"}')
    assert edge.infer(edgebench.InferRequest(encoded, annotations=annotations)).detector == "oracle"
    # ... also when a client puts back the configuration it read; naming a spec replaces it.
    edge.update_config(edge.config_json())
    assert edge.infer(edgebench.InferRequest(encoded, annotations=annotations)).detector == "oracle"
    edge.update_config('{"detector": "none"}')
    assert edge.infer(edgebench.InferRequest(encoded, annotations=annotations)).detector == "none"
    assert edge.edge_config.detector == "none"
    with pytest.raises(edgebench.Error, match="label"):
        edge.use_detector(Oracle(annotations), "")


def test_a_python_detector_serves_on_the_cloud(image_and_truth):
    encoded, annotations = image_and_truth

    class Oracle(edgebench.Detector):
        def detect(self, image):
            return [edgebench.Detection(a.category_id, a.bbox, 0.9) for a in annotations]

        def categories(self):
            return edgebench.synthetic_categories()

    cloud = edgebench.CloudService(edgebench.CloudConfig(name="cloud-o"))
    cloud.use_detector(Oracle(), "oracle")
    assert cloud.cloud_config.detector == "oracle" and json.loads(cloud.config_json())["detector"] == "oracle"
    cloud.update_config(cloud.config_json())
    assert cloud.cloud_config.detector == "oracle"
    assert cloud.infer(edgebench.InferRequest(encoded, annotations=annotations)).detector == "oracle"
    cloud.update_config('{"detector": "none"}')
    assert cloud.infer(edgebench.InferRequest(encoded, annotations=annotations)).detector == "none"


def test_node_server_and_http_client(image_and_truth):
    encoded, annotations = image_and_truth
    cloud = edgebench.CloudService(edgebench.CloudConfig(name="cloud-x"))
    with edgebench.NodeServer(cloud, edgebench.ServerOptions(bearer_token="secret")) as cloud_server:
        edge = edgebench.EdgeService(edgebench.EdgeConfig(name="edge-y", cloud_url=cloud_server.url,
                                                          cloud_token="secret"))
        with edgebench.NodeServer(edge) as server:
            assert server.port > 0 and server.url.startswith("http://127.0.0.1:")
            client = edgebench.HttpClient(edgebench.HttpClientOptions(timeout_ms=20_000))
            health = client.get(server.url + "/healthz")
            assert health.ok and health.json()["status"] == "ok"
            metadata = edgebench.InferRequest(encoded, image_id=5, annotations=annotations).to_json(
                include_image=False)
            parts = [edgebench.MultipartPart("image", encoded, "image/jpeg", "x.jpg"),
                     edgebench.MultipartPart("metadata", metadata, "application/json")]
            answer = client.post_multipart(server.url + "/v1/infer", parts)
            assert answer.ok, answer.text
            response = edgebench.parse_infer_response(answer.body)
            assert response.node == "edge-y" and response.forward.status == edgebench.ForwardOutcome.Status.OK
            assert response.cloud.node == "cloud-x"
            bad = client.post(server.url + "/v1/infer", "{not json")
            assert bad.status == 400 and "error" in bad.json()
            body, content_type = edgebench.encode_multipart(parts)
            assert content_type.startswith("multipart/form-data; boundary=") and encoded in body
        unauthorised = edgebench.HttpClient().get(cloud_server.url + "/healthz")
        assert unauthorised.status == 401
    assert edgebench.HttpClient(edgebench.HttpClientOptions(connect_timeout_ms=500)).get(
        cloud_server.url + "/healthz").outcome != edgebench.HttpResponse.Outcome.OK


def test_a_node_service_written_in_python_is_served():
    class Echo(edgebench.NodeService):
        def infer(self, request):
            response = edgebench.InferResponse()
            response.node = "echo"
            response.image_id = request.image_id
            return response

        def config_json(self):
            return "{}"

        def update_config(self, text):
            raise edgebench.Error("nothing to configure")

        def name(self):
            return "echo"

    server = edgebench.NodeServer(Echo())  # the server keeps the Python object alive
    server.start()
    try:
        body = json.dumps({"image_id": 11, "image_b64": edgebench.base64_encode(b"\xff\xd8\xff")})
        answer = edgebench.HttpClient().post(server.url + "/v1/infer", body)
        assert answer.ok, answer.text
        assert edgebench.parse_infer_response(answer.body).image_id == 11
    finally:
        server.stop()


def test_serve_blocks_until_stopped_from_another_thread():
    server = edgebench.NodeServer(edgebench.CloudService())
    threading.Timer(0.5, server.stop).start()
    started = time.monotonic()
    server.serve()
    assert time.monotonic() - started >= 0.4


def test_checksums(tmp_path):
    file = tmp_path / "data.bin"
    file.write_bytes(b"edgebench" * 1000)
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    assert edgebench.file_digest(file) == sha
    assert edgebench.file_digest(file, edgebench.HashAlgorithm.MD5) == hashlib.md5(file.read_bytes()).hexdigest()
    checksum = edgebench.Checksum.parse("sha256:" + sha)
    assert checksum.algorithm == edgebench.HashAlgorithm.SHA256 and str(checksum) == "sha256:" + sha
    assert edgebench.Checksum.parse(sha) == checksum
    with pytest.raises(edgebench.Error):
        edgebench.Checksum.parse("crc:1234")
    expected = edgebench.official_coco_annotations_2017()
    assert expected.size == 252907541 and expected.checksum.algorithm == edgebench.HashAlgorithm.SHA256
    assert edgebench.COCO_BASE_URL.startswith("http")


@pytest.fixture
def file_server(tmp_path):
    """A loopback HTTP server of tmp_path/served (Python's http.server)."""
    folder = tmp_path / "served"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.handle_error = lambda request, address: None  # cancelled transfers break the pipe on purpose
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_downloader_fetches_checks_and_cancels(file_server, tmp_path):
    folder, url = file_server
    payload = bytes(range(256)) * 4000
    (folder / "blob.bin").write_bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()
    downloader = edgebench.Downloader(edgebench.DownloadOptions(attempts=1, retry_delay_ms=10))
    seen = []
    target = edgebench.DownloadTarget(url + "/blob.bin", tmp_path / "blob.bin", expected_size=len(payload),
                                      expected_checksum=edgebench.Checksum.parse("sha256:" + digest))
    result = downloader.fetch(target, progress=seen.append)
    assert result.size == len(payload) and result.sha256 == digest and not result.already_complete
    assert seen and seen[-1].bytes_done == len(payload)
    assert (tmp_path / "blob.bin").read_bytes() == payload
    assert downloader.fetch(target).already_complete
    # A content check that complains: the file is refused and deleted.
    refused = edgebench.DownloadTarget(url + "/blob.bin", tmp_path / "refused.bin",
                                       content_check=lambda path: "not what I wanted")
    with pytest.raises(edgebench.Error, match="not what I wanted"):
        downloader.fetch(refused)
    assert not (tmp_path / "refused.bin").exists()
    # progress returning False cancels; an exception in it is raised as itself.
    cancelled = edgebench.DownloadTarget(url + "/blob.bin", tmp_path / "cancel.bin")
    with pytest.raises(edgebench.Error):
        downloader.fetch(cancelled, progress=lambda p: False)
    assert not (tmp_path / "cancel.bin").exists()

    def explode(progress):
        raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError, match="from the callback"):
        downloader.fetch(cancelled, progress=explode)
    assert edgebench.partial_download_path(tmp_path / "x.zip").name == "x.zip.part"


def test_coco_download_options_are_checked(tmp_path):
    options = edgebench.CocoDownloadOptions(tmp_path / "coco", limit=3, seed=1, connections=2)
    assert options.limit == 3 and options.connections == 2
    with pytest.raises(edgebench.Error):
        edgebench.CocoDownloadOptions(tmp_path / "coco", connections=0)


def test_coco_download_reports_an_unreachable_server(tmp_path):
    options = edgebench.CocoDownloadOptions(
        tmp_path / "coco", base_url="http://127.0.0.1:9", limit=1,
        transfer=edgebench.DownloadOptions(attempts=1, connect_timeout_ms=500, retry_delay_ms=10))
    reports = []
    with pytest.raises(edgebench.Error, match="127.0.0.1:9"):
        edgebench.download_coco_val2017(options, progress=reports.append)


def test_hw_csv_sink_writes_what_the_monitor_samples(tmp_path):
    monitor = edgebench.HwMonitor(period=0.05, perf=False, gpu=False)
    sample = monitor.snapshot()
    sink = edgebench.HwCsvSink(tmp_path / "hw.csv")
    sink.write(sample)
    sink(sample)
    lines = (tmp_path / "hw.csv").read_text().splitlines()
    assert lines[0] == edgebench.hw_csv_header().strip() and len(lines) == 3
    assert edgebench.hw_csv_row(sample).count(",") == len(edgebench.hw_csv_columns()) - 1
