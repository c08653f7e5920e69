#!/usr/bin/env bash
# Builds stemgen-bench, then runs it and bench/pytorch_block.py with identical arguments, one size
# at a time and back to back (C# then PyTorch for a size, then the next size; the order flips every
# round), for ROUNDS rounds (default 3). Prints per size: C# and PyTorch ms/step (medians over all
# timed steps of all rounds), the ratio C#/PyTorch of those medians, the median of the paired
# per-round ratios, the ratio of the best steps, and whether both computed the same loss and
# gradients. Running each size of both back to back keeps the two sides of each comparison
# seconds apart, which matters on a machine shared with other work.
#
#   bench/run.sh                                   # default sizes, all cores
#   ROUNDS=5 bench/run.sh --steps 10 --threads 2 --sizes 4x64x128x4,2x128x256x4
#
# Arguments go to both programs unchanged (--sizes, --steps, --warmup, --threads, --device);
# --json is added here. The JSON of every run is kept in $BENCH_OUT (default: a temp folder).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3-torch; the pyenv python3 on PATH has no torch
OUT=${BENCH_OUT:-$(mktemp -d -t stemgen-bench.XXXXXX)}
mkdir -p "$OUT"
SIZES=1x32x64x2,4x64x128x4,2x128x256x4,1x256x512x8   # the programs' default, too

args=()
threads_given=0
while (($#)); do
  case "$1" in
    --sizes) SIZES=${2:?--sizes needs a value}; shift 2 ;;
    --threads) threads_given=1; args+=("$1" "${2:?--threads needs a value}"); shift 2 ;;
    --json) shift ;;
    *) args+=("$1"); shift ;;
  esac
done
# The same thread count on both sides: pass the default (all cores) explicitly unless given.
((threads_given)) || args+=(--threads "$(nproc)")
IFS=, read -r -a sizes <<<"$SIZES"

echo "building bench/StemGen.Bench (Release)..." >&2
if ! log=$(dotnet build -c Release bench/StemGen.Bench -nologo 2>&1); then echo "$log" >&2; exit 1; fi
BENCH=bench/StemGen.Bench/bin/Release/net10.0/stemgen-bench

run_cs() { "$BENCH" --json --sizes "$2" "${args[@]}" >"$OUT/csharp-$1-$2.json"; }
run_py() { "$PYTHON" bench/pytorch_block.py --json --sizes "$2" "${args[@]}" >"$OUT/pytorch-$1-$2.json"; }

for ((r = 1; r <= ROUNDS; r++)); do
  echo "round $r/$ROUNDS: $( ((r % 2)) && echo 'C# first' || echo 'PyTorch first') for each of ${sizes[*]}" >&2
  for size in "${sizes[@]}"; do
    if ((r % 2)); then run_cs "$r" "$size"; run_py "$r" "$size"; else run_py "$r" "$size"; run_cs "$r" "$size"; fi
  done
done

"$PYTHON" - "$OUT" "$ROUNDS" "${sizes[@]}" <<'EOF'
import json, statistics, sys
out, rounds, sizes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
load = lambda impl, r, size: json.load(open(f"{out}/{impl}-{r}-{size}.json"))
first = {impl: load(impl, 1, sizes[0]) for impl in ("csharp", "pytorch")}
cs0, py0 = first["csharp"], first["pytorch"]
print(f"libtorch {cs0['torch']} (C#) / torch {py0['torch']} (PyTorch); threads {cs0['threads']} / {py0['threads']}; "
      f"device {cs0['device']}; {cs0['warmup']} warm-up + {cs0['steps']} timed steps per size and run, {rounds} rounds")
print(f"{'size BxTxDxH':<16} {'params':>9} {'C# ms/step':>11} {'PyTorch ms/step':>16} {'C#/PyTorch':>11} "
      f"{'paired':>7} {'best':>6}  same work? (loss C# vs PyTorch, sum|grad| rel. diff)")
ratios = []
rel = lambda a, b: abs(a - b) / max(abs(b), 1e-30)
for size in sizes:
    cs_runs = [load("csharp", r, size)["results"][0] for r in range(1, rounds + 1)]
    py_runs = [load("pytorch", r, size)["results"][0] for r in range(1, rounds + 1)]
    cs = statistics.median([t for run in cs_runs for t in run["steps_ms"]])
    py = statistics.median([t for run in py_runs for t in run["steps_ms"]])
    paired = statistics.median([c["median_ms"] / p["median_ms"] for c, p in zip(cs_runs, py_runs)])
    best = min(c["min_ms"] for c in cs_runs) / min(p["min_ms"] for p in py_runs)
    c0, p0 = cs_runs[0], py_runs[0]
    same = (c0["params"] == p0["params"] and c0["hidden"] == p0["hidden"]
            and rel(c0["loss"], p0["loss"]) < 1e-5 and rel(c0["grad_abs_sum"], p0["grad_abs_sum"]) < 1e-4)
    ratios.append(cs / py)
    print(f"{size:<16} {c0['params']:>9} {cs:>11.2f} {py:>16.2f} {cs / py:>11.3f} {paired:>7.3f} {best:>6.3f}  "
          f"{'yes' if same else 'NO'} ({c0['loss']:.7g} vs {p0['loss']:.7g}, {rel(c0['grad_abs_sum'], p0['grad_abs_sum']):.0e})")
print(f"geometric mean of C#/PyTorch: {statistics.geometric_mean(ratios):.3f}")
print("C#/PyTorch: ratio of the medians; paired: median over rounds of the per-round median ratios; "
      f"best: ratio of the fastest steps.  JSON: {out}")
EOF
