#!/usr/bin/env bash
# Print tshark's view of every capture in Captures/pcaps (used to check MANIFEST.md / cases.json).
# Without keys first (what a passive observer sees), then decrypted with the capture's key log.
cd "$(dirname "$0")/../pcaps" || exit 1
for f in ${1:-*.pcap *.pcapng}; do
  base="${f%.*}"
  echo "##### $f"
  capinfos -c -E -t -M "$f" 2>/dev/null | tail -n +2 | sed "s/  */ /g"
  tshark -r "$f" -t r -T fields -E separator='|' \
    -e frame.number -e _ws.col.Source -e tcp.srcport -e _ws.col.Destination -e tcp.dstport -e _ws.col.Info \
    -Y 'tls or tcp.flags.syn==1 or tcp.flags.fin==1 or tcp.flags.reset==1 or tcp.analysis.retransmission or tcp.analysis.out_of_order or tcp.analysis.lost_segment or smtp or http' 2>/dev/null
  if [ -f "$base.keylog" ]; then
    echo "  -- decrypted:"
    tshark -r "$f" -o tcp.reassemble_out_of_order:TRUE -o "tls.keylog_file:$base.keylog" -T fields -E separator='|' -e frame.number -e _ws.col.Info \
      -Y 'tls.alert_message or http or smtp or tls.handshake' 2>/dev/null | sed 's/^/  /'
  fi
done
