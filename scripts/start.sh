#!/usr/bin/env bash
# Installs what is missing, builds, and starts StemGen. Until the studio lands this runs the
# `stemgen` command line's smoke check of the libtorch binding.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
dotnet build src/StemGen.Cli -c Release -nologo -clp:ErrorsOnly
exec src/StemGen.Cli/bin/Release/net9.0/linux-x64/stemgen info
