#!/bin/sh
# Regenerates the locally made fixtures: OpenSSL s_server/s_client on 127.0.0.1, captured with
# tcpdump on lo, key log written by s_client. Needs root (tcpdump). Output: <name>.pcap + <name>.keylog.txt
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj /CN=localhost -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
port=24433

# run NAME "server options" "client options" "client input: printf formats sent one second apart"
run() {
    name=$1; sopts=$2; copts=$3; cinput=$4
    port=$((port + 1))
    rm -f "$name.pcap" "$name.keylog.txt"
    timeout 25 tcpdump -i lo -U -s 0 -w "$name.pcap" "tcp port $port" 2>/dev/null &
    tpid=$!
    sleep 1
    (sleep 2; printf 'pong\n'; sleep 6) | timeout 15 openssl s_server -accept "127.0.0.1:$port" \
        -cert "$work/cert.pem" -key "$work/key.pem" -naccept 1 $sopts >"$work/$name.server.log" 2>&1 &
    spid=$!
    sleep 1
    (for chunk in $cinput; do printf "$chunk"; sleep 1; done; sleep 2) | timeout 15 openssl s_client -connect "127.0.0.1:$port" \
        -keylogfile "$name.keylog.txt" $copts >"$work/$name.client.log" 2>&1 || true
    wait $spid || true
    sleep 1
    kill "$tpid" 2>/dev/null || true
    wait "$tpid" 2>/dev/null || true
}

run tls13-chacha20 "" "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256" 'ping\n'
run tls13-aes256-keyupdate "" "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384" 'ping\n k\n after\n'
run tls13-hrr "-groups X25519" "-tls1_3 -groups P-256:X25519" 'ping\n'
run tls12-chacha20 "" "-tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305" 'ping\n'
run tls12-aes256-cbc-sha384 "" "-tls1_2 -cipher ECDHE-ECDSA-AES256-SHA384" 'ping\n'
run tls12-aes128-cbc-sha-noetm "" "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA -no_etm" 'ping\n'
run tls11-aes256-cbc "-cipher ALL:@SECLEVEL=0" "-tls1_1 -cipher ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0" 'ping\n'
run tls10-aes128-cbc "-cipher ALL:@SECLEVEL=0" "-tls1 -cipher ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0 -no_etm" 'ping\n second\n'
run tls12-aes128-gcm-reneg "" "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256" 'ping\n R\n after\n'

# 0-RTT: a first connection stores a session, the captured second one sends early data.
# accept=yes: the same server accepts it. accept=no: a new server process (new ticket key) cannot
# resume the session, so it rejects the early data and the client's 0-RTT records must be skipped.
run_early() {
    name=$1; accept=$2
    port=$((port + 1))
    rm -f "$name.pcap" "$name.keylog.txt"
    printf 'early hello\n' >"$work/early.txt"
    (sleep 8) | timeout 10 openssl s_server -accept "127.0.0.1:$port" -cert "$work/cert.pem" \
        -key "$work/key.pem" -early_data -naccept 2 >"$work/$name.server1.log" 2>&1 &
    spid=$!
    sleep 1
    (sleep 2) | timeout 5 openssl s_client -connect "127.0.0.1:$port" -tls1_3 \
        -sess_out "$work/sess.pem" >"$work/$name.client1.log" 2>&1 || true
    if [ "$accept" = no ]; then
        kill "$spid" 2>/dev/null || true
        wait "$spid" 2>/dev/null || true
        (sleep 2; printf 'pong\n'; sleep 6) | timeout 15 openssl s_server -accept "127.0.0.1:$port" \
            -cert "$work/cert.pem" -key "$work/key.pem" -naccept 1 >"$work/$name.server2.log" 2>&1 &
        spid=$!
        sleep 1
    fi
    timeout 20 tcpdump -i lo -U -s 0 -w "$name.pcap" "tcp port $port" 2>/dev/null &
    tpid=$!
    sleep 1
    (sleep 1; printf 'ping\n'; sleep 3) | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_3 \
        -sess_in "$work/sess.pem" -early_data "$work/early.txt" -keylogfile "$name.keylog.txt" \
        >"$work/$name.client2.log" 2>&1 || true
    wait "$spid" 2>/dev/null || true
    sleep 1
    kill "$tpid" 2>/dev/null || true
    wait "$tpid" 2>/dev/null || true
}

run_early tls13-early-accepted yes
run_early tls13-early-rejected no

# tshark's decrypted view of each capture: the oracle the tests compare against.
for pcap in *.pcap; do
    tshark -r "$pcap" -o "tls.keylog_file:${pcap%.pcap}.keylog.txt" \
        -Y 'tls.handshake or tls.handshake.type or tls.alert_message or tls.record.content_type == 21 or tls.record.content_type == 20' \
        -T fields -E header=y -E separator=/t -E occurrence=a -E aggregator=, \
        -e frame.number -e tcp.srcport -e tls.record.content_type -e tls.handshake.type -e tls.alert_message.desc \
        >"$pcap.tshark.keylog.tsv" 2>/dev/null
done
