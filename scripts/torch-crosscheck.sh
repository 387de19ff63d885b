#!/usr/bin/env bash
# Cross-checks ./bptt (init, grad, update) against PyTorch in float64.
# Installs Debian's python3-torch and python3-numpy when /usr/bin/python3 cannot import them,
# then runs scripts/torch_crosscheck.py from the repository root and exits with its status.
# Usage: scripts/torch-crosscheck.sh [--seed N] [--cases N] [--jobs N] [--keep]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py=/usr/bin/python3

if ! "$py" -c 'import torch, numpy' >/dev/null 2>&1; then
  sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "torch-crosscheck: need root (or sudo) to install python3-torch" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "torch-crosscheck: $py cannot import torch and numpy; running: apt-get update" >&2
  if ! "${sudo[@]}" apt-get update -qq >/dev/null; then
    echo "torch-crosscheck: apt-get update failed" >&2
    exit 1
  fi
  echo "torch-crosscheck: running: apt-get install -y --no-install-recommends python3-torch python3-numpy" >&2
  if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends python3-torch python3-numpy >/dev/null; then
    echo "torch-crosscheck: apt-get install python3-torch python3-numpy failed" >&2
    exit 1
  fi
  if ! "$py" -c 'import torch, numpy' >/dev/null; then
    echo "torch-crosscheck: $py still cannot import torch and numpy after installing" >&2
    exit 1
  fi
  echo "torch-crosscheck: installed python3-torch and python3-numpy" >&2
fi

cd "$root"
status=0
"$py" scripts/torch_crosscheck.py "$@" || status=$?
exit "$status"
