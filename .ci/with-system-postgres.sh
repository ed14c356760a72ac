#!/usr/bin/env bash
# Starts the machine's own PostgreSQL (initdb + pg_ctl) in a temporary folder on a free port, runs the given command
# with DATABASE_URL pointing at it, then stops it. As root, the server runs as the `postgres` system user.
set -euo pipefail
dir=$(mktemp -d /tmp/paysign-system-pg.XXXXXX)
chmod 755 "$dir"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --user-group postgres
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" initdb -D "$dir/data" -U postgres --auth=trust >/dev/null
"${as_pg[@]}" pg_ctl -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
trap '"${as_pg[@]}" pg_ctl -D "$dir/data" -m fast -w stop >/dev/null; rm -rf "$dir"' EXIT
echo "PostgreSQL $("${as_pg[@]}" postgres --version | awk '{print $3}') on port $port"
DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres" "$@"
