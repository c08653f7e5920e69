#!/usr/bin/env bash
# Installs what StemGen needs and is missing on a Debian machine (run as root). Idempotent:
# packages already present are not touched, and apt-get update runs only when something is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# Native build and runtime: libtorch (CPU, OpenMP) and the toolchain for the shim. Debian's libtorch
# multiplies matrices through libblas.so.3; OpenBLAS (OpenMP build, like libtorch) provides it
# about 6x faster than the reference BLAS on this kind of machine.
packages=(cmake g++ make libtorch-dev libopenblas0-openmp)
# Audio (StemGen.Audio, by P/Invoke): libsndfile (WAV, FLAC, Ogg Vorbis, Opus, MP3), libsoxr
# (resampling), libebur128 (loudness).
packages+=(libsndfile1 libsoxr0 libebur128-1)
# Datasets (StemGen.Data, `stemgen synth-dataset`): mma renders chord charts in its groove library,
# FluidSynth renders each part with General MIDI SoundFonts: TimGM6mb (the default), csound's GM bank,
# the AVL drum kits (`--vary`) and MuseScore General (the held-out-timbre split). The larger FluidR3 GM
# SoundFont (fluid-soundfont-gm, 145 MB) is for training data only: STEMGEN_WITH_FLUIDR3=1 (scripts/pipeline.sh --vary).
packages+=(fluidsynth timgm6mb-soundfont csound-soundfont avldrums.lv2-soundfont musescore-general-soundfont-small mma)
if [[ "${STEMGEN_WITH_FLUIDR3:-0}" == "1" ]]; then packages+=(fluid-soundfont-gm); fi
# Benchmarks compare against PyTorch on the same libtorch.
if [[ "${STEMGEN_WITH_BENCH:-0}" == "1" ]]; then packages+=(python3-torch); fi
# The studio's browser tests drive Debian's Chromium with Playwright (scripts/test.sh asks for it).
if [[ "${STEMGEN_WITH_BROWSER:-0}" == "1" ]]; then packages+=(chromium); fi
# The studio's data tests also run on PostgreSQL: a private server from Debian's postgresql package
# (tests/StemGen.Web.Tests/PostgresServer.cs starts its own cluster; scripts/test.sh asks for it).
if [[ "${STEMGEN_WITH_POSTGRES:-0}" == "1" ]]; then packages+=(postgresql); fi
# Studio waveforms: wavesurfer.js comes from npm (below); node and npm only when it is not there yet.
wavesurfer_version=7.12.12
wavesurfer_file="$root/wwwroot/lib/wavesurfer/wavesurfer.min.js"
if [[ ! -f "$wavesurfer_file" ]] && ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
  echo "installing: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: need root to install ${missing[*]} (run as root or with sudo)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (dotnet) is not installed; StemGen builds with it and runs on its .NET 10 runtime." >&2
  exit 1
fi

# wavesurfer.js into the top-level wwwroot (served by the studio at /vendor). Optional: when npm cannot
# reach its registry the studio still works and plays audio, only without drawn waveforms.
if [[ ! -f "$wavesurfer_file" ]]; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent "wavesurfer.js@$wavesurfer_version" >/dev/null 2>&1) \
     && tar -xzf "$tmp"/wavesurfer.js-*.tgz -C "$tmp" package/dist/wavesurfer.min.js package/LICENSE; then
    mkdir -p "$(dirname "$wavesurfer_file")"
    cp "$tmp/package/dist/wavesurfer.min.js" "$wavesurfer_file"
    cp "$tmp/package/LICENSE" "$(dirname "$wavesurfer_file")/LICENSE"
    echo "installed wavesurfer.js $wavesurfer_version into wwwroot/lib/wavesurfer/"
  else
    echo "warning: could not fetch wavesurfer.js $wavesurfer_version from npm; the studio will not draw waveforms" >&2
  fi
  rm -rf "$tmp"
fi
