# Shared by the Kafka test scripts (source it): the "ok"/"FAIL" lines, the closing
# "N passed, M failed" line, and a free port pair for a broker on 127.0.0.1.
passed=0
failed=0
ok()  { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; [[ $# -gt 1 ]] && printf '%s\n' "$2" | sed 's/^/       /'; }
finish() { echo "$passed passed, $failed failed"; [[ $failed -eq 0 ]] && exit 0 || exit 1; }

# True when something listens on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints a port P such that P (client) and P+1 (controller) are free on 127.0.0.1; fails if none.
free_port_pair() {
  local p
  for _ in $(seq 50); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! port_open "$p" && ! port_open $((p + 1)); then echo "$p"; return 0; fi
  done
  return 1
}
