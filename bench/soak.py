#!/usr/bin/env python3
"""Soak test: drive a real edge (forwarding to a real cloud) at its maximum sustainable rate for a
bounded time, in windows, and check that nothing leaks: resident memory stops growing, file descriptors
stay constant, and p99 latency stays stable.

    .venv/bin/python bench/soak.py [--minutes 3] [--window 10] [--concurrency 4] [--detector none]

Prints one line per window (requests/s, p50, p99, RSS and open descriptors of edge and cloud) and a
verdict; exits 1 when a check fails. Growth is judged after the first window (warm-up: allocator
arenas, connection pools and caches fill then).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import edgebench
from edgebench.cli import program


def rss_bytes(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def start_node(name, args, folder):
    port_file = folder / f"{name}.port"
    process = subprocess.Popen([str(program(name))] + args + ["--port", "0", "--port-file", str(port_file),
                                                               "--monitor-period", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start")
        time.sleep(0.01)
    return process, f"http://127.0.0.1:{port_file.read_text()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--window", type=float, default=10.0, help="seconds per measurement window")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--detector", default="none")
    parser.add_argument("--preprocess", default="quality=50,resize=75")
    parser.add_argument("--max-rss-growth", type=float, default=0.10,
                        help="largest allowed RSS growth from the second window to the last (fraction)")
    parser.add_argument("--max-p99-ratio", type=float, default=3.0,
                        help="largest allowed last-window p99 over the median window p99")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="edgebench-soak-"))
    dataset = edgebench.generate_synthetic_dataset(edgebench.SyntheticDatasetOptions(image_count=64, seed=3),
                                                   str(folder / "data"))
    cloud, cloud_url = start_node("edgebench-cloud", ["--workers", str(2 * args.concurrency + 4)], folder)
    edge, edge_url = start_node("edgebench-edge", ["--workers", str(args.concurrency + 2), "--cloud", cloud_url,
                                                   "--detector", args.detector, "--preprocess", args.preprocess], folder)
    windows = []
    try:
        config = edgebench.WorkloadConfig(edges=[edge_url], schedule=edgebench.Schedule.closed_loop(args.concurrency, 0),
                                          warmup_requests=4)
        deadline = time.monotonic() + args.minutes * 60
        print(f"{'window':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>6} {'edge RSS MiB':>13} "
              f"{'cloud RSS MiB':>14} {'edge fds':>9} {'cloud fds':>10}")
        while time.monotonic() < deadline:
            # Requests for about one window at the rate seen so far (first window: a guess).
            rate = windows[-1]["rps"] if windows else 100.0
            config.schedule = edgebench.Schedule.closed_loop(args.concurrency, max(50, int(rate * args.window)))
            result = edgebench.run_workload(config, dataset)
            s = result.summary
            window = {"rps": s.throughput_rps, "p50": s.p50_ms, "p99": s.p99_ms, "failed": s.failed,
                      "edge_rss": rss_bytes(edge.pid), "cloud_rss": rss_bytes(cloud.pid),
                      "edge_fds": open_fds(edge.pid), "cloud_fds": open_fds(cloud.pid)}
            windows.append(window)
            print(f"{len(windows):>6} {window['rps']:>8.1f} {window['p50']:>8.2f} {window['p99']:>8.2f} "
                  f"{window['failed']:>6} {window['edge_rss'] / 2**20:>13.1f} {window['cloud_rss'] / 2**20:>14.1f} "
                  f"{window['edge_fds']:>9} {window['cloud_fds']:>10}", flush=True)
    finally:
        for process in (edge, cloud):
            process.terminate()
            process.wait(timeout=30)

    problems = []
    if len(windows) < 3:
        problems.append("too few windows to judge; run longer")
    else:
        settled = windows[1]
        last = windows[-1]
        for node in ("edge", "cloud"):
            growth = (last[f"{node}_rss"] - settled[f"{node}_rss"]) / settled[f"{node}_rss"]
            print(f"{node}: RSS {settled[f'{node}_rss'] / 2**20:.1f} -> {last[f'{node}_rss'] / 2**20:.1f} MiB "
                  f"({growth * 100:+.1f} %), fds {settled[f'{node}_fds']} -> {last[f'{node}_fds']}")
            if growth > args.max_rss_growth:
                problems.append(f"{node} RSS grew {growth * 100:.1f} % after warm-up")
            if last[f"{node}_fds"] > settled[f"{node}_fds"] + 2:
                problems.append(f"{node} file descriptors grew from {settled[f'{node}_fds']} to {last[f'{node}_fds']}")
        median_p99 = statistics.median(w["p99"] for w in windows[1:])
        print(f"p99: median {median_p99:.2f} ms, last {last['p99']:.2f} ms; "
              f"throughput {statistics.mean(w['rps'] for w in windows[1:]):.1f} req/s")
        if last["p99"] > args.max_p99_ratio * median_p99:
            problems.append(f"p99 drifted: last window {last['p99']:.1f} ms against a median of {median_p99:.1f} ms")
        if any(w["failed"] for w in windows):
            problems.append(f"{sum(w['failed'] for w in windows)} requests failed")
    for problem in problems:
        print("FAIL:", problem)
    print("soak: ok" if not problems else "soak: failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
