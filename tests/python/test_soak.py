"""A short soak of a real edge and cloud (the full-length run is bench/soak.py): no memory growth after
warm-up, no descriptor leak, stable p99, no failed request."""

import subprocess
import sys
from pathlib import Path

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


def test_short_soak_leaks_nothing():
    run = subprocess.run([sys.executable, str(SOAK), "--minutes", "0.75", "--window", "6", "--concurrency", "4",
                          "--max-rss-growth", "0.15"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "soak: ok" in run.stdout
