"""The soak test's short version (scripts/soak, one minute): mixed S3 and Hypha load with a
slow-client and bad-request share; no acknowledged write lost, no growth of memory or open file
descriptors, no stall, every bad request refused. `scripts/soak` alone runs 30 minutes."""

import subprocess
import sys

from conftest import BINARY, ROOT


def test_one_minute_soak_loses_nothing_and_does_not_grow():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "soak"), "--binary", str(BINARY), "--duration", "60", "--interval", "15",
         "--workers", "4"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-4000:]
    assert "soak: OK" in result.stdout and "LOST" not in result.stdout
