#!/usr/bin/env bash
# Regenerate the tlsflow test captures in private network namespaces (see docs/captures.md).
#   sudo Captures/make-captures.sh                 # all scenarios
#   sudo Captures/make-captures.sh healthy-tls12   # some scenarios
#   sudo Captures/make-captures.sh --new-certs ... # also re-issue the test certificates
# Traffic stays inside the namespaces tfc/tfb/tfs that this script creates and removes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
[ "$(id -u)" = 0 ] || { echo "needs root (ip netns, tcpdump)" >&2; exit 2; }
for t in ip tcpdump tshark editcap capinfos openssl python3 java ss; do
  command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 2; }
done

child=
cleanup() {
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$child" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$child" 2>/dev/null || true
  fi
  for ns in tfc tfs tfb; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT INT TERM

new_certs=()
args=()
for a in "$@"; do
  if [ "$a" = --new-certs ]; then new_certs=(--new-certs); else args+=("$a"); fi
done

python3 "$here/tools/gen_certs.py" "$here/certs" "${new_certs[@]}"
# Whole run is bounded: every scenario has its own short timeouts; this is the backstop.
# Run in the background and wait, so that a signal to this script runs the trap at once.
timeout 900 python3 "$here/tools/make_captures.py" "${args[@]}" &
child=$!
rc=0
wait "$child" || rc=$?
exit "$rc"
