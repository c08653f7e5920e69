#!/usr/bin/env bash
# Adds an EF Core migration of the studio database for both providers, after a change to the entities
# or StudioDbContext.OnModelCreating: migrations/Sqlite/<id>_<Name>.cs and migrations/Postgres/<id>_<Name>.cs,
# each with its Designer file, and both model snapshots updated. See migrations/README.md.
# Usage: scripts/add-migration.sh <Name>     (PascalCase, e.g. AddStemColour)
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: scripts/add-migration.sh <Name> (PascalCase, e.g. AddStemColour)}"

dotnet tool restore >/dev/null   # dotnet-ef, pinned in .config/dotnet-tools.json
dotnet build src/StemGen.Web -c Release -m:1 -nologo -clp:ErrorsOnly
for provider in Sqlite Postgres; do
  dotnet ef migrations add "$name" --project src/StemGen.Web --configuration Release --no-build \
    --context "${provider}StudioDbContext" \
    --output-dir "../../migrations/$provider" --namespace "StemGen.Web.Migrations.$provider"
  # dotnet ef looks for the snapshot only inside the project folder, so it writes a new one there
  # (a folder named after the namespace) instead of updating migrations/<provider>/: move it over the old one.
  snapshot=$(find src/StemGen.Web -name "${provider}StudioDbContextModelSnapshot.cs" -not -path '*/bin/*' -not -path '*/obj/*')
  mv "$snapshot" "migrations/$provider/${provider}StudioDbContextModelSnapshot.cs"
done
rm -rf src/StemGen.Web/StemGen
echo "added $name to migrations/Sqlite and migrations/Postgres; now run: dotnet test tests/StemGen.Web.Tests -c Release --filter 'FullyQualifiedName~Migration'"
