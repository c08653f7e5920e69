#!/usr/bin/env bash
# `tokens build` before and after issue 21, each in its own process (threading and malloc settings
# are per process): "before" = the one-by-one path with the process settings of before (glibc's
# default malloc, OpenBLAS free to start its own threads); "after" = the pipelined, batched path
# with the loader's settings. Then both paths once more in one process, which also checks that they
# write identical token files. Options go to stemgen-tokens-bench (see its Program.cs), e.g.
#   bench/tokens_run.sh --data /tmp/synth-32k --encode-seconds 5
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/StemGen.TokenCache.Bench -c Release -m:1 -nologo -clp:ErrorsOnly >/dev/null
bench=bench/StemGen.TokenCache.Bench/bin/Release/net10.0/stemgen-tokens-bench
before=$(STEMGEN_TORCH_MALLOC=default OPENBLAS_NUM_THREADS=$(nproc) "$bench" "$@" --order old | tee >(cat >&2) | grep '^old:')
after=$("$bench" "$@" --order new | tee >(cat >&2) | grep '^new:')
seconds() { awk '{ for (i = 1; i <= NF; i++) if ($(i + 1) == "s") { print $i; exit } }' <<<"$1"; }
echo "before (old path, old process settings): $before"
echo "after  (new path, new process settings): $after"
awk -v b="$(seconds "$before")" -v a="$(seconds "$after")" 'BEGIN { printf "speed-up before/after: %.2fx\n", b / a }'
echo "--- both paths in one process (new process settings):"
"$bench" "$@"
