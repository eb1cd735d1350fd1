"""Generated compose files and Kubernetes manifests, read back with PyYAML: what `edgebench run --generate`
writes, what backend compose does without a Docker engine, and the Python API for both."""

import json
import subprocess
from pathlib import Path

import pytest
import yaml

import edgebench

EXPERIMENT = """\
name: py-deploy
dataset:
  synthetic: {count: 5, seed: 3}
images: 3
placement: edge
edges:
  - {name: pi-4, detector: none, preprocess: "quality=70"}
  - {name: jetson, detector: none, preprocess: "quality=70", network: {bandwidth_mbps: 5}}
cloud: {detector: none}
network: {bandwidth_mbps: 10, latency_ms: 20}
workload: {schedule: round-robin, images_per_edge: 3, repeats: 2}
backend: BACKEND
grid:
  edges.preprocess.resize: [100, 50]
"""


@pytest.fixture
def experiment_file(tmp_path):
    def make(backend):
        path = tmp_path / f"{backend}.yaml"
        path.write_text(EXPERIMENT.replace("BACKEND", backend))
        return path
    return make


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def check_compose(folder, run_id):
    compose = yaml.safe_load((folder / run_id / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"cloud", "pi-4", "jetson", "workload"}
    assert compose["networks"]["edgebench"]["driver"] == "bridge"
    for name, service in compose["services"].items():
        assert service["image"] == f"edgebench:{edgebench.__version__}"
        assert service["networks"] == ["edgebench"]
        # Environment values and commands must reach compose as strings, numbers included.
        assert all(isinstance(v, str) for v in service["environment"].values()), service["environment"]
        assert all(isinstance(a, str) for a in service["command"]), service["command"]
        for volume in service["volumes"]:
            assert volume["type"] == "bind"
            source = Path(volume["source"])
            assert (folder / run_id / source if not source.is_absolute() else source).exists(), volume
    edges = {n: compose["services"][n]["environment"] for n in ("pi-4", "jetson")}
    assert edges["pi-4"]["EDGEBENCH_BANDWIDTH_MBPS"] == "10"
    assert edges["jetson"]["EDGEBENCH_BANDWIDTH_MBPS"] == "5"
    assert edges["jetson"]["EDGEBENCH_LATENCY_MS"] == "20"
    assert all(e["EDGEBENCH_CLOUD_URL"] == "http://cloud:8080" for e in edges.values())
    command = compose["services"]["workload"]["command"]
    assert command[command.index("--schedule") + 1] == "round-robin"
    assert command[command.index("--images-per-edge") + 1] == "3"
    assert command[command.index("--repeats") + 1] == "2"
    assert "http://pi-4:8080" in command and "http://jetson:8080" in command
    config = json.loads((folder / run_id / "config" / "jetson.json").read_text())
    assert config["link"] == {"bandwidth_mbps": 5.0, "latency_ms": 20.0}


def check_manifests(folder, run_id):
    objects = [o for f in sorted((folder / run_id).glob("*.yaml")) for o in load_all(f)]
    kinds = sorted(o["kind"] for o in objects)
    assert kinds == sorted(["ConfigMap"] * 4 + ["PersistentVolumeClaim", "Pod", "Job"] + ["Deployment", "Service"] * 3)
    for o in objects:
        assert o["metadata"]["labels"]["edgebench.io/run-id"] == run_id
    deployments = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Deployment"}
    services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}
    assert deployments.keys() == services.keys()
    edge_urls = []
    for name, d in deployments.items():
        labels = d["spec"]["template"]["metadata"]["labels"]
        for selector in (d["spec"]["selector"]["matchLabels"], services[name]["spec"]["selector"]):
            assert selector.items() <= labels.items()
        pod = d["spec"]["template"]["spec"]
        env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
        assert all(isinstance(v, str) for v in env.values()), env
        if labels["app.kubernetes.io/component"] == "edge":
            assert pod["nodeSelector"] == {"edgebench.io/role": "edge"}
            edge_urls.append(f"http://{name}:8080")
        else:
            assert "nodeSelector" not in pod
    job = next(o for o in objects if o["kind"] == "Job")
    args = job["spec"]["template"]["spec"]["containers"][0]["args"]
    assert sorted(a for a in args if a.startswith("http://")) == sorted(edge_urls)
    assert len(edge_urls) == 2


def test_generate_writes_both_kinds_for_every_run(cli, experiment_file, tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([cli, "run", str(experiment_file("local")), "--out", str(out), "--generate"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    written = [line[len("wrote "):] for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert all(Path(p).exists() for p in written) and len(written) > 10
    assert "docker compose -f" in result.stdout and "kubectl apply -f" in result.stdout
    for run_id in ("run-0001", "run-0002"):
        check_compose(out / "compose", run_id)
        check_manifests(out / "kubernetes", run_id)
    assert not (out / "manifest.json").exists()  # nothing ran


def test_backend_compose_without_engine_writes_files_and_says_how_to_run_them(cli, experiment_file, tmp_path):
    available, why = edgebench.docker_engine_available()
    if available:
        pytest.skip("a Docker engine runs here: backend compose would run the files")
    out = tmp_path / "out"
    result = subprocess.run([cli, "run", str(experiment_file("compose")), "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "not run: " in result.stdout
    assert f"docker build -t edgebench:{edgebench.__version__}" in result.stdout
    for run_id in ("run-0001", "run-0002"):
        assert f"docker compose -f {out / 'compose' / run_id / 'docker-compose.yml'} up" in result.stdout
    assert not (out / "kubernetes").exists()


def test_python_api_writes_kubernetes_files(experiment_file, tmp_path):
    experiment = edgebench.Experiment.load(str(experiment_file("kubernetes")))
    files = edgebench.write_kubernetes_files(experiment, str(tmp_path / "out"), image="registry.example/eb:1")
    assert files.run_ids == ["run-0001", "run-0002"]
    for run_id in files.run_ids:
        for o in (o for f in (tmp_path / "out" / "kubernetes" / run_id).glob("*.yaml") for o in load_all(f)):
            for container in o.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                assert container["image"] == "registry.example/eb:1"
    assert any(c.startswith("kubectl apply -f") for c in files.commands)


def test_netns_support_says_why_not(cli):
    support = edgebench.probe_netns_support()
    check = subprocess.run([cli, "netns", "check"], capture_output=True, text=True, timeout=60)
    if support.available:
        assert check.returncode == 0 and "available" in check.stdout
    else:
        assert support.reason
        assert check.returncode == 1 and support.reason in check.stdout
