#!/usr/bin/env bash
# The whole model pipeline in one command, time-boxed so that whatever it reached can be kept:
# render a synthetic dataset -> import -> [fine-tune the codec] -> token cache -> train (the trainer
# validates, keeps best.safetensors and checkpoints at intervals) -> export -> listening check.
# Every stage that already finished in OUT is skipped, so running the same command again continues;
# the training stages stop (checkpointed) when their time is spent, and export and the check still run.
#
#   scripts/pipeline.sh --out /work/runs/listen                     # listening data, tiny, 150 min
#   scripts/pipeline.sh --out runs/mixed --style mixed --hours 2 --steps 8000 --minutes 120
#   scripts/pipeline.sh --out runs/varied --style mixed --vary --heldout-hours 0.4 --codec-minutes 40
#
# --init MODEL fine-tunes a model (e.g. models/stemgen-tiny.safetensors, same codec) instead of starting from scratch.
# --vary renders each song with SoundFonts drawn from TimGM6mb, FluidR3 and csound's GM bank (drums also
# from the AVL kits) and random per-stem mixing; --heldout-hours renders a held-out-timbre test set
# (MuseScore General, which no training song uses, seed 9100) into OUT/heldout-import for `stemgen evaluate
# --heldout`; --codec-minutes fine-tunes --codec on the imported training audio first and trains on its tokens.
#
# Prints, and writes to OUT/pipeline.md, each stage's wall time, then the listening check.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

OUT= STYLE=listening HOURS=2 SEED=1 TRAIN_SEED=1 PRESET=tiny STEPS=6000 BATCH=16 FRAMES=250 MINUTES=150
CODEC=$REPO/models/codec-tiny.safetensors THREADS=${STEMGEN_TORCH_THREADS:-1} VARY=0 HELDOUT_HOURS=0 CODEC_MINUTES=0 INIT=
usage() { sed -n 2,18p "$0" >&2; echo "options: --out DIR --style listening|songs|mixed --hours H --seed N (dataset) --train-seed N --preset P --steps N --batch N --seq-frames N --minutes M --codec FILE --threads N --vary --heldout-hours H --codec-minutes M --init MODEL" >&2; exit 2; }
while (($#)); do
  case "$1" in
    --out) OUT=${2:?}; shift 2 ;;
    --style) STYLE=${2:?}; shift 2 ;;
    --hours) HOURS=${2:?}; shift 2 ;;
    --seed) SEED=${2:?}; shift 2 ;;
    --train-seed) TRAIN_SEED=${2:?}; shift 2 ;;
    --preset) PRESET=${2:?}; shift 2 ;;
    --steps) STEPS=${2:?}; shift 2 ;;
    --batch) BATCH=${2:?}; shift 2 ;;
    --seq-frames) FRAMES=${2:?}; shift 2 ;;
    --minutes) MINUTES=${2:?}; shift 2 ;;
    --codec) CODEC=$(realpath "${2:?}"); shift 2 ;;
    --threads) THREADS=${2:?}; shift 2 ;;
    --vary) VARY=1; shift ;;
    --heldout-hours) HELDOUT_HOURS=${2:?}; shift 2 ;;
    --codec-minutes) CODEC_MINUTES=${2:?}; shift 2 ;;
    --init) INIT=$(realpath "${2:?}"); shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
done
[[ -n $OUT ]] || usage
[[ $MINUTES =~ ^[0-9]+$ && $MINUTES -gt 0 ]] || { echo "--minutes must be a positive whole number, not '$MINUTES'" >&2; exit 2; }
[[ $CODEC_MINUTES =~ ^[0-9]+$ ]] || { echo "--codec-minutes must be a whole number, not '$CODEC_MINUTES'" >&2; exit 2; }
[[ -f $CODEC ]] || { echo "--codec $CODEC: no such file" >&2; exit 2; }
# FluidR3 (145 MB) is only needed for varied training data.
if ((VARY)); then STEMGEN_WITH_FLUIDR3=1 bash scripts/install-deps.sh >&2; fi
mkdir -p "$OUT"; OUT=$(realpath "$OUT")
DEADLINE=$(( $(date +%s) + MINUTES * 60 ))

# One build of the CLI, copied into OUT so that rebuilding the repository meanwhile does not touch a running stage.
if [[ ! -x $OUT/cli/stemgen ]]; then
  echo "building the CLI (Release)..." >&2
  dotnet build -c Release -nologo -v q src/StemGen.Cli >&2
  cp -r src/StemGen.Cli/bin/Release/net10.0 "$OUT/cli"
fi
STEMGEN=$OUT/cli/stemgen
export STEMGEN_TORCH_THREADS=$THREADS

report=$OUT/pipeline.md
[[ -f $report ]] || printf '# Pipeline %s\n\n    %s\n\n| stage | wall time |\n|---|---:|\n' "$(date -u +%FT%TZ)" "scripts/pipeline.sh --out $OUT --style $STYLE --hours $HOURS --seed $SEED --train-seed $TRAIN_SEED --preset $PRESET --steps $STEPS --batch $BATCH --seq-frames $FRAMES --minutes $MINUTES --threads $THREADS$( ((VARY)) && echo " --vary") --heldout-hours $HELDOUT_HOURS --codec-minutes $CODEC_MINUTES${INIT:+ --init $INIT}" >"$report"

# stage NAME COMMAND...: runs once (a marker file records it), logs to OUT/NAME.log, times it.
stage() {
  local name=$1; shift
  if [[ -f $OUT/.done-$name ]]; then echo "== $name: done before, skipped" >&2; return; fi
  echo "== $name: $*" >&2
  local start=$SECONDS rc=0
  "$@" >"$OUT/$name.log" 2>&1 &
  local pid=$!
  # Show the stage's lines as they come, without the per-file progress lines.
  tail -n +1 --pid=$pid -f "$OUT/$name.log" | grep --line-buffered -vE '^[0-9]+/[0-9]+ ' >&2 || true
  wait $pid || rc=$?
  local took=$(( SECONDS - start ))
  printf '| %s | %d:%02d |\n' "$name" $((took / 60)) $((took % 60)) >>"$report"
  if ((rc != 0)) && [[ $name != train ]]; then echo "== $name failed ($rc): see $OUT/$name.log" >&2; exit "$rc"; fi
  [[ $name == train ]] || touch "$OUT/.done-$name"
}

left() { echo $(( DEADLINE - $(date +%s) )); }

variety=()
((VARY)) && variety=(--vary --soundfont timgm6mb fluidr3 csound --drum-kit avl-blackpearl avl-redzeppelin)
stage render "$STEMGEN" synth-dataset --style "$STYLE" --hours "$HOURS" --seed "$SEED" --out "$OUT/dataset" "${variety[@]}"
stage import "$STEMGEN" import "$OUT/dataset" --out "$OUT/import"
if [[ $HELDOUT_HOURS != 0 ]]; then
  # A timbre no training song has (MuseScore General) on arrangements of a seed no training run uses.
  stage heldout-render "$STEMGEN" synth-dataset --style "$STYLE" --hours "$HELDOUT_HOURS" --seed 9100 --out "$OUT/heldout" --vary --soundfont musescore --split test
  stage heldout-import "$STEMGEN" import "$OUT/heldout" --out "$OUT/heldout-import"
fi
if ((CODEC_MINUTES > 0)); then
  # Fine-tune the codec on the training audio (SIGTERM at the end of its minutes: it checkpoints and exports).
  [[ -f $OUT/.done-codec ]] || timeout --signal=TERM --kill-after=120 $((CODEC_MINUTES * 60)) \
    "$STEMGEN" codec train --data "$OUT/import/train" --run "$OUT/codec" --init "$CODEC" --steps 1000000 --batch 8 --segment 0.5 --lr 3e-4 --time-weight 100 \
    >"$OUT/codec.log" 2>&1 || true
  [[ -f $OUT/codec/codec.safetensors ]] || { echo "codec fine-tuning wrote no codec: see $OUT/codec.log" >&2; exit 1; }
  if [[ ! -f $OUT/.done-codec ]]; then printf '| codec | %d:00 |\n' "$CODEC_MINUTES" >>"$report"; touch "$OUT/.done-codec"; fi
  CODEC=$OUT/codec/codec.safetensors
fi
stage tokens "$STEMGEN" tokens build --data "$OUT/import" --codec "$CODEC" --submixes 4 --seed 1

train=("$STEMGEN" train --preset "$PRESET" --data "$OUT/import" --codec "$CODEC" --run "$OUT/run" --steps "$STEPS"
  --batch "$BATCH" --seq-frames "$FRAMES" --seed "$TRAIN_SEED" --device cpu --log-every 50 --checkpoint-minutes 5)
# --init starts a new run from a model's weights (same preset and codec); a resumed run continues its own.
[[ -n $INIT && ! -f $OUT/run/checkpoint.safetensors ]] && train+=(--init "$INIT")
# Leave 5 minutes of the box for export and the listening check; SIGTERM makes the trainer checkpoint and stop.
budget=$(( $(left) - 300 ))
if ((budget > 60)); then
  stage train timeout --signal=TERM --kill-after=120 "$budget" "${train[@]}"
else
  echo "== train: no time left in the box ($(( $(left) / 60 )) min)" >&2
fi
[[ -f $OUT/run/checkpoint.safetensors ]] || { echo "no checkpoint in $OUT/run: nothing to export" >&2; exit 1; }
rm -f "$OUT/.done-export" "$OUT/.done-listening"
stage export "$STEMGEN" train --run "$OUT/run" --export-only
stage listening "$STEMGEN" train --run "$OUT/run" --data "$OUT/import" --codec "$CODEC" --listening-check --device cpu
{ echo; echo '```'; grep -E '^(validation|stopped|exported)' "$OUT/train.log" | tail -4; grep -E '^(listening|training masks|level masked)' "$OUT/listening.log"; echo '```'; } >>"$report"
echo "model: $OUT/run/model.safetensors; report: $report" >&2
cat "$report"
