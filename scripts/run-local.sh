#!/usr/bin/env bash
# `make run`: the web server and a Celery worker (with beat) side by side; Ctrl-C stops both.
set -uo pipefail
address=${1:-127.0.0.1:8000}
bin=${VENV:-.venv}/bin

"$bin/celery" -A config worker --beat --loglevel INFO --concurrency 2 --schedule var/celerybeat-schedule &
worker=$!

stop_worker() {
  kill -TERM "$worker" 2>/dev/null || return 0
  # A warm shutdown finishes the task at hand; past ten seconds, stop waiting.
  for _ in $(seq 1 20); do
    kill -0 "$worker" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL "$worker" 2>/dev/null
}
trap stop_worker EXIT
trap 'exit 130' INT TERM

"$bin/python" manage.py runserver "$address"
