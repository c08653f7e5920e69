#!/usr/bin/env bash
# GPU check (issue 22): pack here, run on a GPU machine that has no .NET and no network, get a report back.
#
#   scripts/gpu-check.sh pack [--out DIR] [--dry-run] [--train-data DIR]     # DIR: artifacts/gpu-check
#   scripts/gpu-check.sh run [--cpu] [--pack DIR] [--out DIR] [--peak-tflops 989] [--train SECONDS [--train-preset P] [--train-steps N] [--train-batch B] [--train-encode-seconds S]] [--train-only]
#   scripts/gpu-check.sh --cpu [pack options] [run options]   # pack, then run --cpu: the whole check on this CPU machine
#
# train: --train-data (pack) carries a token pack (`stemgen tokens pack --max-mib 6`: tokens of whole tracks, no
#   audio) in the pack; --train SECONDS (run) then spends that much after the checks training on it (checkpoint
#   every minute; SIGTERM at the end of the budget checkpoints and exports), and returns the exported model in
#   parts of at most 15 MiB (the device returns 8 files of 16 MiB) with its sha256: model.safetensors.part-*,
#   model.safetensors.sha256. --train-encode-seconds S: the pack was encoded with `tokens build --encode-seconds S`.
#   --train-only skips the binding's tests and the benchmarks (a proof on a CPU).
#
# pack: one self-contained, trimmed linux-x64 folder (bench/StemGen.GpuCheck: the stemgen CLI, the generation,
#   training and codec benches and the binding's tests sharing one .NET runtime) plus the shim's sources; the
#   shipped models are not copied: the working tree, which the device tool carries anyway, has them (models/).
#   Fails when the working tree plus the pack exceed the device tool's 64 MiB. --dry-run skips the publish and
#   checks the rest (arguments, shim sources, models, the size of the tree and of a pack already there).
# run: builds the shim with CMake against the PyTorch wheel's libtorch (CUDA) or, with --cpu, Debian's libtorch,
#   runs the binding's tests (DeviceTests on cuda, or cpu), then time-boxed benchmarks, and writes report.json,
#   report.md and run.log into --out (default: $OUT when set, else artifacts/gpu-check-report).
#   Each step has its own time limit; on the GPU the whole run is sized to end inside 8 minutes.
# Device tool: command `bash scripts/gpu-check.sh run --pack artifacts/gpu-check --out $OUT`,
#   carry ["artifacts/gpu-check"].
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
limit_bytes=$((64 * 1024 * 1024))

die() { echo "gpu-check: $*" >&2; exit 2; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

# Bytes the device tool carries besides the pack: tracked files plus untracked files git does not ignore.
tree_bytes() {
  { git ls-files -z; git ls-files -z --others --exclude-standard; } |
    while IFS= read -r -d '' f; do [[ -f $f && ! -L $f ]] && stat -c %s "$f"; done | awk '{ s += $1 } END { print s + 0 }'
}

dir_bytes() { [[ -d $1 ]] && find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }' || echo 0; }

check_size() {
  local pack=$1 tree packed total
  tree=$(tree_bytes)
  packed=$(dir_bytes "$pack")
  total=$((tree + packed))
  echo "gpu-check: working tree $(mib "$tree") + pack $(mib "$packed") ($pack) = $(mib "$total") of $(mib $limit_bytes)"
  if ((total > limit_bytes)); then
    echo "gpu-check: too big for the device tool's carry limit" >&2
    return 1
  fi
}

pack() {
  local out=artifacts/gpu-check dry=0 train_data=
  while (($#)); do
    case $1 in
      --out) out=${2:?--out needs a folder}; shift 2 ;;
      --dry-run) dry=1; shift ;;
      --train-data) train_data=${2:?--train-data needs a token pack folder}; shift 2 ;;
      *) die "pack: unknown option $1" ;;
    esac
  done
  [[ -z $train_data || -f $train_data/manifest.json && -d $train_data/tokens ]] ||
    die "--train-data $train_data: not a token pack (make one: stemgen tokens pack --data IMPORT --codec C --out DIR --max-mib 6; the tree (~33 MiB) and the app (~25 MiB) leave about 6 MiB of the 64)"
  [[ -f src/StemGen.Torch/native/CMakeLists.txt ]] || die "no shim sources in src/StemGen.Torch/native"
  compgen -G 'models/*.safetensors' >/dev/null || die "no shipped models in models/"
  git check-ignore -q "$out/x" || echo "gpu-check: warning: $out is not ignored by git: the device tool would carry it twice" >&2
  if ((dry)); then
    echo "gpu-check: dry run: publish skipped; sizes of the tree and of what is in $out now"
    check_size "$out"
    return
  fi
  local start=$SECONDS
  rm -rf "$out"
  mkdir -p "$out"
  # The shim is built on the target (run), so SkipNativeShim: no CMake here.
  dotnet publish bench/StemGen.GpuCheck -c Release -p:GpuCheckPack=true -p:SkipNativeShim=true -m:1 -nologo \
    -clp:ErrorsOnly -o "$out/app"
  # Debugger, alternative GCs and LTTng tracing: never loaded by these runs.
  rm -f "$out"/app/{libmscordaccore.so,libmscordbi.so,libclrgc.so,libclrgcexp.so,libcoreclrtraceptprovider.so,createdump} "$out"/app/*.pdb
  mkdir -p "$out/native"
  cp -rp src/StemGen.Torch/native/CMakeLists.txt src/StemGen.Torch/native/src "$out/native/"
  if [[ -n $train_data ]]; then cp -rp "$train_data" "$out/train-data"; echo "gpu-check: training data $(mib "$(dir_bytes "$out/train-data")")"; fi
  git describe --always --dirty --abbrev=12 >"$out/COMMIT" 2>/dev/null || true
  echo "gpu-check: packed in $((SECONDS - start)) s: app $(mib "$(dir_bytes "$out/app")"), shim sources $(mib "$(dir_bytes "$out/native")")"
  check_size "$out"
}

run() {
  local pack_dir=artifacts/gpu-check out=${OUT:-artifacts/gpu-check-report} cpu=0 peak=989
  local train=0 train_preset=tiny train_steps=3000 train_batch=64 train_encode=0 train_only=0
  while (($#)); do
    case $1 in
      --cpu) cpu=1; shift ;;
      --train) train=${2:?--train needs seconds}; shift 2 ;;
      --train-preset) train_preset=${2:?}; shift 2 ;;
      --train-steps) train_steps=${2:?}; shift 2 ;;
      --train-batch) train_batch=${2:?}; shift 2 ;;
      --train-encode-seconds) train_encode=${2:?}; shift 2 ;;
      --train-only) train_only=1; shift ;;
      --pack) pack_dir=${2:?--pack needs a folder}; shift 2 ;;
      --out) out=${2:?--out needs a folder}; shift 2 ;;
      --peak-tflops) peak=${2:?--peak-tflops needs a number}; shift 2 ;;
      *) die "run: unknown option $1" ;;
    esac
  done
  [[ -x $pack_dir/app/gpucheck ]] || die "no pack in $pack_dir (run: scripts/gpu-check.sh pack --out $pack_dir)"
  [[ $train =~ ^[0-9]+$ ]] || die "--train must be whole seconds, not '$train'"
  ((train == 0)) || [[ -f $pack_dir/train-data/manifest.json ]] || die "--train: the pack has no training data (pack --train-data DIR)"
  pack_dir=$(cd "$pack_dir" && pwd)
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  local log=$out/run.log results=$out/results
  mkdir -p "$results"
  : >"$log"
  local start=$SECONDS
  say() { echo "$*" | tee -a "$log"; }
  # The GPU run must end inside 8 minutes: no step runs past this deadline (each also has its own limit).
  local deadline=$((start + (cpu ? 1800 : 465) + train))
  left() { local l=$((deadline - SECONDS)); ((l < $1)) && echo "$l" || echo "$1"; }

  # 1. The shim, against the wheel's libtorch (CUDA) or Debian's (--cpu, as `dotnet build` does).
  local shims cmake_args=()
  shims=$(dirname "$pack_dir")/gpu-check-shim
  local build=$shims/cpu
  if ((!cpu)); then
    local prefix
    prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)') || die "python3 cannot import torch (the wheel's libtorch)"
    cmake_args=(-DCMAKE_PREFIX_PATH="$prefix")
    build=$shims/cuda
    # Only this machine's GPU architecture (H200: 9.0), as TorchConfig would otherwise probe or list many.
    export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-$(python3 -c 'import torch; c = torch.cuda.get_device_capability(); print(f"{c[0]}.{c[1]}")' 2>/dev/null || echo 9.0)}
  fi
  say "== shim: cmake ${cmake_args[*]:-(Debian libtorch)} -> $build"
  local t0=$SECONDS shim_rc=0
  {
    timeout "$(left 60)" cmake -S "$pack_dir/native" -B "$build" -DCMAKE_BUILD_TYPE=Release "${cmake_args[@]}" &&
      timeout "$(left $((cpu ? 900 : 180)))" cmake --build "$build" --parallel "$(nproc)"
  } >>"$log" 2>&1 || shim_rc=$?
  echo "{\"rc\": $shim_rc, \"seconds\": $((SECONDS - t0))}" >"$results/shim.status.json"
  say "shim build: exit $shim_rc in $((SECONDS - t0)) s"
  local device=cuda
  ((cpu)) && device=cpu
  report() {
    local rc=0
    python3 "$repo/scripts/gpu-check-report.py" --results "$results" --out "$out" --device "$device" --peak-tflops "$peak" \
      --pack "$pack_dir" --seconds $((SECONDS - start)) $( ((train_only)) && echo --train-only) | tee -a "$log" || rc=$?
    rm -rf "$results"
    say "gpu-check: run took $((SECONDS - start)) s; report in $out (report.json, report.md, run.log)"
    return $rc
  }
  if ((shim_rc)); then
    tail -30 "$log"
    report
    return 1
  fi
  export STEMGEN_TORCH_SHIM=$build/libstemgen_torch.so
  export STEMGEN_TEST_DEVICE=$device
  # The shipped models of this checkout, also when the pack lies outside it.
  export STEMGEN_CODEC=${STEMGEN_CODEC:-$repo/models/codec-tiny.safetensors}
  export STEMGEN_CHECKPOINT=${STEMGEN_CHECKPOINT:-$repo/models/stemgen-tiny.safetensors}
  local app=$pack_dir/app/gpucheck

  # step NAME SECONDS ARGS...: runs `gpucheck ARGS` with a time limit; stdout to results/NAME.out, stderr to the log.
  step() {
    local name=$1 limit t0=$SECONDS rc=0
    limit=$(left "$2")
    shift 2
    say "== $name (limit ${limit} s): gpucheck $*"
    if ((limit < 5)); then
      rc=124
      : >"$results/$name.out"
      say "$name: skipped, the run's time is up"
    else
      timeout "$limit" "$app" "$@" >"$results/$name.out" 2>>"$log" || rc=$?
    fi
    cat "$results/$name.out" >>"$log"
    echo "{\"rc\": $rc, \"seconds\": $((SECONDS - t0)), \"limit\": $limit}" >"$results/$name.status.json"
    say "$name: exit $rc in $((SECONDS - t0)) s"
  }

  # 2. Smoke test of the CLI, the binding's tests (DeviceTests on $device), 3. the benchmarks.
  step info 30 stemgen info
  if ((train_only)); then
    say "== tests and benchmarks skipped (--train-only)"
  else
    checks
  fi
  ((train == 0)) || train_run
  report
}

# The binding's tests on $device, then the benchmarks.
checks() {
  step tests $((cpu ? 300 : 90)) torch-tests
  if ((cpu)); then
    # Tiny sizes and short budgets: this proves the pipeline on 2 shared cores, not speed.
    step generation 240 generation-bench --json --device cpu --configs tiny,small --modes best --seconds 5 --max-steps 3
    step training 180 training-bench --json --device cpu --presets tiny,small --batch 1 --frames 25 --warmup 1 --steps 2
    step codec 120 codec-bench --json --device cpu --configs tiny,shipped --seconds 2 --repeats 1
  else
    # Sized for an H200 so that everything ends inside 8 minutes (shim build ~1-2 min included): the limits are
    # ceilings, the work itself should take well under them.
    step generation 100 generation-bench --json --device cuda --configs tiny,small,paper --modes best --seconds 20 --max-steps 8
    step training 100 training-bench --json --device cuda --presets small,paper --batch 32 --frames 500 --warmup 3 --steps 8
    step codec 60 codec-bench --json --device cuda --configs official,shipped --seconds 30 --repeats 3
  fi
}

# Trains on the carried token pack for $train seconds (SIGTERM at the end: the trainer checkpoints and exports),
# then leaves only the exported model in $out, in parts the device tool returns, with its checksum.
train_run() {
  local run_dir=$out/train-run
  step train "$train" stemgen train --preset "$train_preset" --data "$pack_dir/train-data" --codec "$STEMGEN_CODEC" --run "$run_dir" \
    --device "$device" --steps "$train_steps" --batch "$train_batch" --seq-frames 250 --encode-seconds "$train_encode" --checkpoint-minutes 1 --log-every 50
  local model=$run_dir/model.safetensors
  if [[ -f $model ]]; then
    (cd "$run_dir" && split -b 15M -d model.safetensors "$out/model.safetensors.part-" && sha256sum model.safetensors >"$out/model.safetensors.sha256")
    python3 -c 'import json, sys, os, glob; print(json.dumps({"bytes": os.path.getsize(sys.argv[1]), "sha256": open(sys.argv[2]).read().split()[0],
      "parts": sorted(os.path.basename(p) for p in glob.glob(sys.argv[3] + "/model.safetensors.part-*"))}))' \
      "$model" "$out/model.safetensors.sha256" "$out" >"$results/model.json"
  fi
  rm -rf "$run_dir"
}

case ${1:-} in
  pack) shift; pack "$@" ;;
  run) shift; run "$@" ;;
  --cpu)
    shift
    pack_args=() run_args=()
    while (($#)); do
      case $1 in
        --out|--train-data) pack_args+=("$1" "${2:?}"); shift 2 ;;
        --dry-run) pack_args+=("$1"); shift ;;
        --train-only) run_args+=("$1"); shift ;;
        *) run_args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
      esac
    done
    pack "${pack_args[@]}"
    run --cpu "${run_args[@]}"
    ;;
  *) die "usage: scripts/gpu-check.sh pack [--out DIR] [--dry-run] | run [--cpu] [--pack DIR] [--out DIR] [--peak-tflops N] | --cpu" ;;
esac
