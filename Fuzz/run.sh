#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for FUZZ_SECONDS (default 30).
#   Fuzz/run.sh                 every target
#   Fuzz/run.sh FuzzCapture     one target
# New interesting inputs go to Fuzz/.work/<target> (not committed); crashes to Fuzz/crashes/.
# Exits non-zero when any target found a crash, leak or timeout.
set -euo pipefail
cd "$(dirname "$0")"
SWIFT=${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-30}
JOBS=${FUZZ_JOBS:-1}
PARALLEL=()
[ "$JOBS" -gt 1 ] && PARALLEL=(-jobs="$JOBS" -workers="$JOBS")
TARGETS=(FuzzPacketDecoder FuzzTLSRecords FuzzHandshake FuzzCertificate FuzzKeyLog FuzzCapture)
[ $# -gt 0 ] && TARGETS=("$@")

"$SWIFT" build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
BIN=$("$SWIFT" build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)

mkdir -p crashes
status=0
for target in "${TARGETS[@]}"; do
    mkdir -p ".work/$target" "corpus/$target"
    echo "== $target: ${SECONDS_PER_TARGET}s"
    # Certificates go through swift-certificates' Certificate(derEncoded:), which leaks a few
    # objects it allocated on some malformed inputs (docs/fuzzing.md, "Findings"): leak checks
    # are off for the targets that parse certificates; -rss_limit_mb still catches growth.
    EXTRA=()
    LEAKS=1
    case "$target" in FuzzCapture | FuzzCertificate) EXTRA=(-detect_leaks=0) LEAKS=0 ;; esac
    # -rss_limit_mb: a decoder that grows memory with a small input is a bug too.
    if ! ASAN_OPTIONS="detect_leaks=$LEAKS${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$BIN/$target" ".work/$target" "corpus/$target" \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
        "${PARALLEL[@]}" "${EXTRA[@]}" -print_final_stats=1 \
        -artifact_prefix="crashes/$target-" 2>".work/$target.log"; then
        status=1
        echo "!! $target failed; see Fuzz/.work/$target.log and Fuzz/crashes/"
        tail -40 ".work/$target.log"
    fi
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|^#[0-9]+.*DONE" ".work/$target.log" | tail -3 || true
done
exit $status
