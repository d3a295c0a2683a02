#!/bin/bash
# ward-server at the ward office's terminal (installed as /usr/local/bin/ward-server): with the same
# settings as ward-server.service (/etc/bdhvs/ward.env: the database, the releases folder) and, when
# run by root, as the ward user, so `sudo ward-server device add …` or `… release add …` reach the
# database and folders the server uses and leave no file the server cannot read.
set -euo pipefail

ENV_FILE=${WARD_ENV_FILE:-/etc/bdhvs/ward.env}
PROGRAM=${WARD_PROGRAM:-/opt/bdhvs/current/venv/bin/ward-server}

if [[ ! -r "$ENV_FILE" ]]; then
    echo "ward-server: cannot read $ENV_FILE (the ward's settings); run it with sudo" >&2
    exit 2
fi
# KEY=VALUE lines as systemd's EnvironmentFile= reads them (not shell: WARD_SERVE_ARGS has spaces)
while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"; fi
done <"$ENV_FILE"
if ((EUID == 0)) && id ward >/dev/null 2>&1; then
    exec runuser -u ward -- "$PROGRAM" "$@"
fi
exec "$PROGRAM" "$@"
