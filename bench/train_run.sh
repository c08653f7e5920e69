#!/usr/bin/env bash
# Training throughput of the StemGen presets: builds stemgen-train-bench, then runs it and
# bench/pytorch_train_step.py with the same arguments, one preset at a time and back to back (the
# order flips every round), for ROUNDS rounds (default 2). Prints per preset: parameters (must match),
# C# and PyTorch ms/step and target tokens/s (medians over all timed steps of all rounds) and the
# ratio C#/PyTorch of the step times (below 1: C# is faster).
#
#   bench/train_run.sh                                       # tiny,small, batch 8 x 250 frames, all cores
#   ROUNDS=3 bench/train_run.sh --threads 1 --presets tiny --batch 8 --frames 500 --steps 10
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3-torch
OUT=${BENCH_OUT:-$(mktemp -d -t stemgen-train-bench.XXXXXX)}
mkdir -p "$OUT"
PRESETS=tiny,small
args=()
threads_given=0
while (($#)); do
  case "$1" in
    --presets) PRESETS=${2:?--presets needs a value}; shift 2 ;;
    --threads) threads_given=1; args+=("$1" "${2:?--threads needs a value}"); shift 2 ;;
    --json) shift ;;
    *) args+=("$1"); shift ;;
  esac
done
((threads_given)) || args+=(--threads "$(nproc)")
IFS=, read -r -a presets <<<"$PRESETS"

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "no torch in $PYTHON (install Debian's python3-torch): C# figures only, no ratio" >&2
  PYTHON=
fi
echo "building bench/StemGen.Training.Bench (Release)..." >&2
if ! log=$(dotnet build -c Release bench/StemGen.Training.Bench -nologo 2>&1); then echo "$log" >&2; exit 1; fi
BENCH=bench/StemGen.Training.Bench/bin/Release/net10.0/stemgen-train-bench

run_cs() { "$BENCH" --json --presets "$2" "${args[@]}" >"$OUT/csharp-$1-$2.json"; }
run_py() { [[ -z $PYTHON ]] || "$PYTHON" bench/pytorch_train_step.py --json --presets "$2" "${args[@]}" >"$OUT/pytorch-$1-$2.json"; }
for ((r = 1; r <= ROUNDS; r++)); do
  echo "round $r/$ROUNDS" >&2
  for p in "${presets[@]}"; do
    if ((r % 2)); then run_cs "$r" "$p"; run_py "$r" "$p"; else run_py "$r" "$p"; run_cs "$r" "$p"; fi
  done
done

"${PYTHON:-python3}" - "$OUT" "$ROUNDS" "${presets[@]}" <<'PY'
import json, os, statistics, sys
out, rounds, presets = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def load(impl, r, p):
    path = f"{out}/{impl}-{r}-{p}.json"
    return json.load(open(path)) if os.path.exists(path) else None
cs0 = load("csharp", 1, presets[0])
print(f"libtorch {cs0['torch']}, {cs0['threads']} threads, {cs0['device']}, batch {cs0['batch']} x {cs0['frames']} frames x 4 levels; "
      f"{cs0['warmup']} warm-up + {cs0['steps']} timed steps per run, {rounds} rounds")
print(f"{'preset':<7}{'params':>13}{'C# ms/step':>12}{'C# tokens/s':>13}{'PyTorch ms/step':>17}{'PyTorch tokens/s':>18}{'C#/PyTorch':>12}  per-round ratios")
for p in presets:
    cs = [load("csharp", r, p)["results"][0] for r in range(1, rounds + 1)]
    py = [x["results"][0] for x in (load("pytorch", r, p) for r in range(1, rounds + 1)) if x]
    cs_ms = statistics.median([t for x in cs for t in x["steps_ms"]])
    tokens = cs[0]["tokens_per_step"]
    line = f"{p:<7}{cs[0]['params']:>13,}{cs_ms:>12.1f}{tokens / cs_ms * 1000:>13,.0f}"
    if py:
        py_ms = statistics.median([t for x in py for t in x["steps_ms"]])
        same = "" if py[0]["params"] == cs[0]["params"] else f"  (parameter counts differ: {py[0]['params']:,})"
        rounds_ratio = " ".join(f"{c['median_ms'] / q['median_ms']:.2f}" for c, q in zip(cs, py))
        line += f"{py_ms:>17.1f}{tokens / py_ms * 1000:>18,.0f}{cs_ms / py_ms:>12.3f}  {rounds_ratio}{same}"
    print(line)
print(f"JSON: {out}")
PY
