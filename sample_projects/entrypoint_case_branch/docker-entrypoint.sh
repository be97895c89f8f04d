#!/bin/sh
# The container's entrypoint: the CMD (or compose `command:`) picks the process.
# It's written the way real ones are: a heredoc, functions, and a case on "$1".
set -e

cat <<EOF >/tmp/app.cfg
# don't edit: written at start
LOG_LEVEL = 'info'
EOF

web() {
  exec gunicorn app:app --bind "0.0.0.0:${PORT:-8000}" --workers 2
}

worker() {
  exec celery -A tasks worker --loglevel=INFO
}

case "$1" in
  web)
    shift
    web
    ;;
  worker)
    shift
    worker
    ;;
  *)
    exec "$@"
    ;;
esac
