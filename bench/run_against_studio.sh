#!/usr/bin/env bash
# Shared by load_run.sh and abuse_run.sh: publishes the studio, starts it on 127.0.0.1 with a temp data folder
# (SQLite, Studio:Registration=Open, in-process generation with the shipped tiny model in models/), runs one bench
# project against it, then stops the studio and deletes the temp folder.
#
#   bench/run_against_studio.sh BENCH_PROJECT BENCH_BINARY [--studio SETTING ...] -- [bench arguments]
#
# Environment: PORT (default: a free port the kernel picks; a busy one is refused, so a bench never loads someone
# else's studio), STEMGEN_TORCH_THREADS (default 1), KEEP_DATA=1 keeps the data folder and the studio log.
# Exit code: the bench's (non-zero on any error).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
project=${1:?bench project folder}; binary=${2:?bench binary name}; shift 2
studio_settings=()
while (($#)) && [[ $1 != -- ]]; do
  [[ $1 == --studio ]] || { echo "expected --studio SETTING or --, not '$1'" >&2; exit 2; }
  studio_settings+=("${2:?--studio needs a setting}"); shift 2
done
[[ ${1:-} == -- ]] && shift
port=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
url="http://127.0.0.1:$port"
export STEMGEN_TORCH_THREADS=${STEMGEN_TORCH_THREADS:-1}

echo "building the studio and the bench"
dotnet publish src/StemGen.Web -c Release -o artifacts/studio -nologo -clp:ErrorsOnly -m:1
dotnet build "$project" -c Release -nologo -clp:ErrorsOnly -m:1

data=$(mktemp -d -t stemgen-bench.XXXXXX)
studio_pid=
cleanup() {
  if [[ -n "$studio_pid" ]] && kill -0 "$studio_pid" 2>/dev/null; then
    kill -TERM "$studio_pid"
    for _ in $(seq 1 30); do kill -0 "$studio_pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$studio_pid" 2>/dev/null && kill -KILL "$studio_pid"
  fi
  if [[ "${KEEP_DATA:-0}" == "1" ]]; then echo "data and studio log kept in $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT

if curl -s -o /dev/null --max-time 2 "$url/"; then
  echo "something already answers at $url: refusing to load it (choose another PORT)" >&2
  exit 1
fi
echo "starting the studio at $url (data in $data)"
(cd artifacts/studio && exec ./StemGen.Web --urls "$url" --Studio:DataDirectory="$data" \
   --Studio:VendorAssetsDirectory="$root/wwwroot" --Studio:Registration=Open --Logging:LogLevel:Default=Warning \
   "${studio_settings[@]}") >"$data/studio.log" 2>&1 &
studio_pid=$!
for _ in $(seq 1 120); do
  if curl -fs -o /dev/null "$url/account/login"; then break; fi
  if ! kill -0 "$studio_pid" 2>/dev/null; then echo "the studio stopped; its log:" >&2; cat "$data/studio.log" >&2; exit 1; fi
  sleep 1
done
curl -fsS -o /dev/null "$url/account/login" || { echo "the studio did not answer within 120 s" >&2; exit 1; }
# The one answering must be ours (a studio that failed to bind would leave another one answering).
sleep 1
if ! kill -0 "$studio_pid" 2>/dev/null; then echo "the studio stopped; its log:" >&2; tail -20 "$data/studio.log" >&2; exit 1; fi
if command -v ss >/dev/null && ! ss -ltnpH "sport = :$port" | grep -q "pid=$studio_pid,"; then
  echo "port $port is not held by the studio started here (pid $studio_pid): refusing to run" >&2
  exit 1
fi

status=0
"$project/bin/Release/net10.0/$binary" --url "$url" "$@" || status=$?
if grep -q " fail: \|crit: " "$data/studio.log"; then
  echo "studio log has failures:" >&2
  grep -A3 " fail: \|crit: " "$data/studio.log" | head -40 >&2
fi
exit $status
