#!/usr/bin/env bash
# Peak memory of tlsflow on synthetic hostile captures (docs/fuzzing.md, "Resource bounds").
#   Scripts/hostile-bench.sh [TLSFLOW_BINARY]     (default .build/release/tlsflow)
# Environment: SYN_COUNTS (default "100000 1000000"), BIG_MB (default "10 100"), WORK (temp dir).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-.build/release/tlsflow}
work=${WORK:-$(mktemp -d)}
syn_counts=${SYN_COUNTS:-"100000 1000000"}
big_mb=${BIG_MB:-"10 100"}

measure() { # name, file, extra args...
    local name=$1 file=$2
    shift 2
    local start=$SECONDS
    /usr/bin/time -v "$bin" --format jsonl "$@" "$file" >"$work/$name.out" 2>"$work/$name.time" || true
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
    printf '%-28s %8s MiB peak RSS  %5ss  %9s bytes  %s connections reported\n' "$name" \
        "$((rss / 1024))" "$((SECONDS - start))" "$(stat -c %s "$file")" "$(wc -l <"$work/$name.out")"
    grep -v "^\s" "$work/$name.time" | grep -iv "command being timed" | head -3 || true
}

for n in $syn_counts; do
    python3 "$here/make-hostile-captures.py" syn-flood "$work/syn-$n.pcap" "$n" 10
    measure "syn-flood-$n" "$work/syn-$n.pcap"
    rm -f "$work/syn-$n.pcap"
done
for mb in $big_mb; do
    python3 "$here/make-hostile-captures.py" big-tls "$work/big-$mb.pcap" "$mb"
    measure "one-connection-${mb}MB" "$work/big-$mb.pcap"
    rm -f "$work/big-$mb.pcap"
done
