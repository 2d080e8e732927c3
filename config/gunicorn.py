"""gunicorn settings (docker-compose's web service). The access log leaves out client addresses."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 30
accesslog = "-"
# No %(h)s (remote address), no headers that could carry one, no query string.
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
