#!/bin/bash
#
# harness_hang.sh: VM harness self-test (tests/vm/selftest.sh): hangs, so the
# run must FAIL on its timeout.
set -euo pipefail
echo "hanging"
sleep 3600
