#!/bin/sh
# The stand-in nginx image's entrypoint (see Dockerfile): when the command is nginx, run the
# executable scripts in /docker-entrypoint.d/ in name order, then replace this shell with the
# command. Any other command (a shell, for debugging) runs as given.
set -eu

case "${1:-}" in
  nginx | nginx-debug)
    for script in /docker-entrypoint.d/*.sh; do
      [ -e "$script" ] || continue
      if [ -x "$script" ]; then
        echo "$0: running $script"
        "$script"
      else
        echo "$0: skipping $script (not executable)"
      fi
    done
    echo "$0: configuration complete, starting $1"
    ;;
esac

exec "$@"
