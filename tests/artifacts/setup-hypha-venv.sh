#!/usr/bin/env bash
# Creates a virtualenv with the reference server (Hypha 0.21.137) and the hypha-artifact client.
# Kept apart from the main test environment: aioboto3 13.2.0 pins botocore 1.35.36, which would
# downgrade the boto3/botocore the S3 integration tests pin.
#   bash tests/artifacts/setup-hypha-venv.sh [VENV]   (default /tmp/hyphavenv)
set -euo pipefail
VENV="${1:-/tmp/hyphavenv}"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q \
  hypha==0.21.137 hypha-rpc sqlalchemy==2.0.35 sqlmodel==0.0.34 aioboto3==13.2.0 aiosqlite \
  dulwich \
  hypha-artifact==0.2.5 pytest requests
echo "ARTIFACT_SERVER=hypha HYPHA_PYTHON=$VENV/bin/python $VENV/bin/python -m pytest -q tests/artifacts"
