#!/usr/bin/env bash
# Writes the deploy settings with fresh secrets instead of placeholders: a worker key and the passwords
# of the database roles stemgen and stemgen_worker (openssl rand -hex 32), each file readable by its owner only. Run once on the studio box;
# copy the worker file to each GPU box. Nothing is overwritten.
#   deploy/make-secrets.sh /etc/stemgen          (systemd: studio.env and worker.env)
#   deploy/make-secrets.sh deploy                (docker compose: deploy/.env)
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: deploy/make-secrets.sh TARGET_FOLDER}
mkdir -p "$target"
worker_key=$(openssl rand -hex 32)
db_password=$(openssl rand -hex 32)
worker_db_password=$(openssl rand -hex 32)
write() { # example file -> target file, placeholders replaced
  local from=$1 to=$2
  if [[ -e "$to" ]]; then echo "kept $to (exists)"; return; fi
  (umask 077; sed -e "s/@WORKER_KEY@/$worker_key/g" -e "s/@DB_PASSWORD@/$db_password/g" -e "s/@WORKER_DB_PASSWORD@/$worker_db_password/g" "$from" > "$to")
  echo "wrote $to"
}
if [[ "$(realpath "$target")" == "$(pwd)" ]]; then
  write .env.example .env
else
  write studio.env.example "$target/studio.env"
  write worker.env.example "$target/worker.env"
fi
echo "set the same passwords on the database roles: ALTER ROLE stemgen PASSWORD '...'; ALTER ROLE stemgen_worker PASSWORD '...'"
