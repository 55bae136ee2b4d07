#!/bin/sh
# The PostgreSQL stand-in's entrypoint (see Dockerfile): for `postgres …`, switch to the user
# postgres, make the cluster at the first start, then replace this shell with the server. Any
# other command runs as given.
set -eu

if [ "${1:-}" != postgres ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  # A fresh named volume belongs to root.
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "$0: the database is uninitialized and POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  user="${POSTGRES_USER:-postgres}"
  database="${POSTGRES_DB:-$user}"
  password_file="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" > "$password_file"
  initdb --username="$user" --pwfile="$password_file" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256
  rm -f "$password_file"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$database" != postgres ]; then
    # On the Unix socket only, so nothing from the network sees a half-made server.
    pg_ctl --wait --options="-c listen_addresses=''" start
    # From standard input: psql quotes the name (:"name") in a script, never in --command.
    echo 'CREATE DATABASE :"name";' |
      psql --username="$user" --dbname=postgres --set=ON_ERROR_STOP=1 --set=name="$database" --quiet
    pg_ctl --wait --mode=fast stop
  fi
  echo "$0: PostgreSQL init process complete; ready for start up."
fi

exec "$@"
