#!/usr/bin/env python3
"""Runs tlsflow, tshark, ssldump and the libpcap floor on one capture and records the figures.

  run-bench.py CAPTURE [--tlsflow BIN] [--floor BIN] [--skip-tshark] [--threads N ...] [--doc docs/performance.md]

Each tool runs under /usr/bin/time -v (wall time, peak RSS); output goes to /dev/null. The file
is read once beforehand so every tool sees it in the page cache. The floor and tlsflow run
--repeat times (default 3; the median wall time and the largest peak RSS are reported, every
run's time is listed): this VM's speed drifts with its host by ±15 % between runs. Results replace the block
between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in the doc (appended when missing).
"""

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys

TSHARK_FILTER = "tls.handshake.type==1||tls.handshake.type==2||tls.alert_message"


def timed(cmd):
    """Runs cmd with stdout to /dev/null; returns (wall seconds, peak RSS KiB)."""
    result = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode not in (0, 1):
        sys.stderr.write(result.stderr[-2000:])
        raise SystemExit("bench: %s failed (exit %d)" % (cmd[0], result.returncode))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    return seconds, int(rss.group(1))


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    load = open("/proc/loadavg").read().split()[:3]
    return "%d cores (nproc), %s, %.1f GiB RAM, load average at start %s" % (
        os.cpu_count(), cpu, mem_kib / 1048576, " ".join(load))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("capture")
    parser.add_argument("--tlsflow", default=".build/release/tlsflow")
    parser.add_argument("--floor", default=".build/pcap-floor")
    parser.add_argument("--skip-tshark", action="store_true")
    parser.add_argument("--threads", type=int, action="append", help="tlsflow --threads values to run (repeatable)")
    parser.add_argument("--doc", default="docs/performance.md")
    parser.add_argument("--name", help="block name in the doc (default: capture file name)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the floor and of tlsflow (median reported)")
    args = parser.parse_args()

    size = os.path.getsize(args.capture)
    mb = size / 1e6
    info_path = args.capture + ".info"
    connections = json.load(open(info_path))["connections"] if os.path.exists(info_path) else None
    if connections is None:  # the generator's .info is missing: count what tlsflow reports
        out = subprocess.run([args.tlsflow, "--format", "json", args.capture], stdout=subprocess.PIPE, check=False)
        connections = json.loads(out.stdout)["summary"]["connections"]
    with open(args.capture, "rb") as f:  # warm the page cache
        while f.read(1 << 24):
            pass

    def repeated(cmd):
        """Median wall time and largest peak RSS of --repeat runs, and the runs' times as text."""
        runs = [timed(cmd) for _ in range(max(1, args.repeat))]
        times = sorted(r[0] for r in runs)
        listed = "" if len(runs) == 1 else " (runs: %s s)" % ", ".join("%.2f" % r[0] for r in runs)
        return times[len(times) // 2], max(r[1] for r in runs), listed

    rows = []  # (tool, command, seconds, rss KiB)
    seconds, rss, listed = repeated([args.floor, args.capture])
    rows.append(("libpcap read loop (floor)", "%s %s`%s" % (args.floor, args.capture, listed), seconds, rss))
    for threads in args.threads or [os.cpu_count(), 1]:
        cmd = [args.tlsflow, "--format", "json", "--threads", str(threads), args.capture]
        seconds, rss, listed = repeated(cmd)
        rows.append(("tlsflow --threads %d" % threads, " ".join(cmd) + " > /dev/null`" + listed, seconds, rss))
    if shutil.which("ssldump"):
        cmd = ["ssldump", "-n", "-r", args.capture]
        seconds, rss = timed(cmd)
        rows.append(("ssldump", " ".join(cmd) + " > /dev/null`", seconds, rss))
    if shutil.which("tshark") and not args.skip_tshark:
        cmd = ["tshark", "-n", "-r", args.capture, "-Y", TSHARK_FILTER, "-T", "fields", "-e", "frame.number",
               "-e", "tls.handshake.type", "-e", "tls.handshake.extensions_server_name", "-e", "tls.alert_message.desc"]
        seconds, rss = timed(cmd)
        shown = " ".join(c if c != TSHARK_FILTER else "'%s'" % c for c in cmd)
        rows.append(("tshark fields", shown + " > /dev/null`", seconds, rss))

    floor = rows[0][2]
    tshark = next((r[2] for r in rows if r[0] == "tshark fields"), None)
    lines = []
    lines.append("Capture `%s`: %.1f MB, %s connections. Measured %s on: %s."
                 % (os.path.basename(args.capture), mb, connections if connections is not None else "?",
                    datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), machine()))
    lines.append("")
    lines.append("| tool | wall s | MB/s | connections/s | peak RSS MiB | vs floor | tlsflow speed-up vs it |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    best = min((r[2] for r in rows if r[0].startswith("tlsflow")), default=None)
    for tool, _, seconds, rss in rows:
        rate = connections / seconds if connections and seconds > 0 else 0
        vs_floor = "%.0f%%" % (100 * floor / seconds) if seconds > 0 else "-"
        speedup = "%.1f×" % (seconds / best) if best and not tool.startswith(("tlsflow", "libpcap")) else ""
        lines.append("| %s | %.2f | %.0f | %.0f | %.1f | %s | %s |"
                     % (tool, seconds, mb / seconds if seconds else 0, rate, rss / 1024, vs_floor, speedup))
    lines.append("")
    lines.append("Commands (each under `/usr/bin/time -v`; wall time is the median of the runs listed):")
    lines.append("")
    for tool, command, _, _ in rows:
        lines.append("- %s: `%s" % (tool, command))
    if tshark is None:
        lines.append("- tshark: skipped (BENCH_SKIP_TSHARK=1 or not installed)")
    block = "\n".join(lines)
    print(block)

    name = args.name or os.path.basename(args.capture)
    start, end = "<!-- bench:%s -->" % name, "<!-- /bench:%s -->" % name
    text = open(args.doc).read() if os.path.exists(args.doc) else "# Performance\n"
    replacement = "%s\n%s\n%s" % (start, block, end)
    if start in text and end in text:
        text = text[:text.index(start)] + replacement + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + replacement + "\n"
    with open(args.doc, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
