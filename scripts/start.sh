#!/usr/bin/env bash
# Installs what is missing, builds, and starts StemGen Studio with its embedded defaults: SQLite
# database and blob folder under the data folder, jobs on a Hangfire server inside the studio, CPU unless CUDA is
# there. Environment: STEMGEN_DATA (default ./data), STEMGEN_URL (default http://localhost:5000).
# Generation uses the shipped tiny codec and model in models/ unless Generation:CodecWeightsPath /
# Generation:ModelCheckpointPath (or $STEMGEN_CODEC / $STEMGEN_CHECKPOINT) name others.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh
dotnet publish src/StemGen.Web -c Release -o artifacts/studio -nologo -clp:ErrorsOnly
data=$(realpath -m "${STEMGEN_DATA:-$root/data}")
url=${STEMGEN_URL:-http://localhost:5000}
mkdir -p "$data"
echo "StemGen Studio: open $url (data in $data; Ctrl+C stops it)"
cd artifacts/studio
exec ./StemGen.Web --urls "$url" --Studio:DataDirectory="$data" --Studio:VendorAssetsDirectory="$root/wwwroot" "$@"
