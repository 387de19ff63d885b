# Shared by bench/run-kernels.sh and bench/run-job.sh (sourced, not run).
#   ensure_torch        installs Debian's python3-torch, python3-numpy and OpenBLAS with apt-get if missing
#   machine_info OUT    writes the machine, Java, torch version and load average to OUT/machine.txt
py=/usr/bin/python3
# Debian's torch calls whatever libblas.so.3 is installed: without OpenBLAS that is the reference
# BLAS, 3-10x slower on the batched sizes. The PLATFORM.md anchors were taken with OpenBLAS.
openblas=/usr/lib/x86_64-linux-gnu/openblas-pthread

ensure_torch() {
  if ! "$py" -c 'import torch' >/dev/null 2>&1 || [[ ! -e $openblas/libblas.so.3 ]]; then
    local sudo=()
    [[ $EUID -ne 0 ]] && sudo=(sudo)
    echo "bench: installing python3-torch and OpenBLAS with apt-get ..." >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      python3-torch python3-numpy libopenblas0-pthread >/dev/null
  fi
}

# machine_info OUT_DIR TORCH_NOTE
machine_info() {
  {
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(lscpu | sed -n 's/^Flags:.*\(avx512f\).*/AVX-512/p')" \
      "$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
    echo "java: $(java -version 2>&1 | head -n 2 | tail -n 1)"
    echo "torch: $("$py" -c 'import torch; print(torch.__version__)' 2>/dev/null), BLAS $openblas, $2"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  } >"$1/machine.txt"
  cat "$1/machine.txt" >&2
}
