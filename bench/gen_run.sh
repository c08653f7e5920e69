#!/usr/bin/env bash
# Decoding speed, C# against a PyTorch sampler of the same model on the same libtorch: for each
# preset, StemGen.Generation.Bench --whole (the C# path of before and the new one, alternately in one
# process, same tokens checked) and bench/pytorch_sampler.py, back to back, the order flipping every
# round, ROUNDS rounds (default 2). A shortened schedule (--steps, default 16,8,4,4: the cosine
# schedule's mix of mostly and barely masked steps) is scaled to the paper's 256 steps by the mean
# step. Prints medians of wall and CPU time per step, seconds per stem and the ratios.
#
#   bench/gen_run.sh                                  # tiny,small; 20 s; 2 threads
#   ROUNDS=3 bench/gen_run.sh --threads 1 --presets tiny --steps 32,16,8,8
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3-torch
OUT=${BENCH_OUT:-$(mktemp -d -t stemgen-gen-bench.XXXXXX)}
mkdir -p "$OUT"
PRESETS=tiny,small
THREADS=$(nproc)
STEPS=16,8,4,4
SECONDS_=20
while (($#)); do
  case "$1" in
    --presets) PRESETS=${2:?}; shift 2 ;;
    --threads) THREADS=${2:?}; shift 2 ;;
    --steps) STEPS=${2:?}; shift 2 ;;
    --seconds) SECONDS_=${2:?}; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
IFS=, read -r -a presets <<<"$PRESETS"
"$PYTHON" -c 'import torch' 2>/dev/null || { echo "no torch in $PYTHON (install Debian's python3-torch)" >&2; exit 1; }
echo "building bench/StemGen.Generation.Bench (Release)..." >&2
if ! log=$(dotnet build -c Release bench/StemGen.Generation.Bench -nologo 2>&1); then echo "$log" >&2; exit 1; fi
BENCH=bench/StemGen.Generation.Bench/bin/Release/net10.0/StemGen.Generation.Bench

run_cs() { STEMGEN_TORCH_THREADS=$THREADS "$BENCH" --json --whole --modes best --configs "$2" --seconds "$SECONDS_" --steps "$STEPS" >"$OUT/csharp-$1-$2.json"; }
run_py() { "$PYTHON" bench/pytorch_sampler.py --json --presets "$2" --seconds "$SECONDS_" --steps "$STEPS" --threads "$THREADS" >"$OUT/pytorch-$1-$2.json"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((round = 1; round <= ROUNDS; round++)); do
  for preset in "${presets[@]}"; do
    echo "round $round, $preset ($(date +%T), load $(cut -d' ' -f1 /proc/loadavg))" >&2
    if ((round % 2)); then run_cs "$round" "$preset"; run_py "$round" "$preset"; else run_py "$round" "$preset"; run_cs "$round" "$preset"; fi
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$PYTHON" - "$OUT" "$THREADS" "$STEPS" "$SECONDS_" "${presets[@]}" <<'EOF'
import glob, json, statistics, sys
out, threads, steps, seconds, presets = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5:]
med = statistics.median
print(f"{seconds:g} s stem (T = {int(seconds * 50)}), best preset (eq. 3: 3 passes per step), {threads} threads, schedule {steps} scaled to 256 steps; medians over rounds")
print("| preset | PyTorch ms/step | C# before ms/step | C# new ms/step | new vs PyTorch | new vs before | CPU time new vs PyTorch | CPU new vs before | s per stem (new) | same tokens |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
for p in presets:
    cs = [r for f in sorted(glob.glob(f"{out}/csharp-*-{p}.json")) for r in json.load(open(f))["results"]]
    py = [r for f in sorted(glob.glob(f"{out}/pytorch-*-{p}.json")) for r in json.load(open(f))["results"]]
    if not cs or not py:
        continue
    py_ms, py_cpu = med(r["step_ms"] for r in py), med(r["cpu_stem_s"] for r in py)
    old_ms, new_ms = med(r["old_step_ms"] for r in cs), med(r["new_step_ms"] for r in cs)
    old_cpu, new_cpu = med(r["old_cpu_stem_s"] for r in cs), med(r["new_cpu_stem_s"] for r in cs)
    same = all(r["same_tokens"] for r in cs)
    print(f"| {p} | {py_ms:.1f} | {old_ms:.1f} | {new_ms:.1f} | {new_ms / py_ms:.2f} | {new_ms / old_ms:.2f} | {new_cpu / py_cpu:.2f} | "
          f"{new_cpu / old_cpu:.2f} | {new_ms * 256 / 1000:.1f} | {'yes' if same else 'NO'} |")
EOF
