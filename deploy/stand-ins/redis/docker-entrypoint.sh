#!/bin/sh
# The Redis stand-in's entrypoint (see Dockerfile): `redis-server …` runs as the user redis with
# protected mode off unless a configuration file is given (then the file decides, as with the real
# image's default); options after it still override. Any other command runs as given.
set -eu

if [ "${1:-}" = redis-server ]; then
  shift
  case "${1:-}" in
    "" | -*) set -- redis-server --protected-mode no "$@" ;;
    *) set -- redis-server "$@" ;;
  esac
  if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi

exec "$@"
