#!/usr/bin/env bash
# `tokens build` before and after issue 21, each in its own process (threading and malloc settings
# are per process): "before" = the one-by-one path with the process settings of before (glibc's
# default malloc, OpenBLAS free to start its own threads); "after" = the pipelined path with the
# loader's settings. ROUNDS rounds (default 3), the order flipped every round; medians and the
# median of the per-round ratios. Then, with BOTH=1, both paths once more in one process (which also
# checks that they write identical token files). Options go to stemgen-tokens-bench, e.g.
#   bench/tokens_run.sh --data /tmp/synth-32k --encode-seconds 5
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/StemGen.TokenCache.Bench -c Release -m:1 -nologo -clp:ErrorsOnly >/dev/null
bench=bench/StemGen.TokenCache.Bench/bin/Release/net10.0/stemgen-tokens-bench
seconds() { awk '{ for (i = 1; i <= NF; i++) if ($(i + 1) == "s") { print $i; exit } }' <<<"$1"; }
before() { STEMGEN_TORCH_MALLOC=default OPENBLAS_NUM_THREADS=$(nproc) "$bench" "$@" --order old | grep '^old:'; }
after() { "$bench" "$@" --order new | grep '^new:'; }
b=(); a=()
for round in $(seq 1 "${ROUNDS:-3}"); do
  if (( round % 2 )); then x=$(before "$@"); y=$(after "$@"); else y=$(after "$@"); x=$(before "$@"); fi
  echo "round $round before: $x"; echo "round $round after:  $y"
  b+=("$(seconds "$x")"); a+=("$(seconds "$y")")
done
/usr/bin/python3 - "${b[*]}" "${a[*]}" <<'PY'
import statistics, sys
b, a = ([float(x) for x in arg.split()] for arg in sys.argv[1:3])
print(f"median before {statistics.median(b):.1f} s, median after {statistics.median(a):.1f} s: "
      f"{statistics.median(b) / statistics.median(a):.2f}x (median of per-round ratios {statistics.median(x / y for x, y in zip(b, a)):.2f}x)")
PY
if [[ "${BOTH:-0}" == 1 ]]; then echo "--- both paths in one process:"; "$bench" "$@"; fi
