# One image for every role in docker-compose.yml: web (gunicorn), worker and beat.

# Front-end libraries, from package-lock.json; the same files `make static/vendor/chart.umd.min.js` copies.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && mkdir vendor \
 && cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map vendor/ \
 && cp node_modules/chart.js/LICENSE.md vendor/chart.js.LICENSE.md

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    CANDOR_VAR_DIR=/app/var \
    NLTK_DATA=/app/nltk_data

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
COPY --from=assets /assets/vendor/ static/vendor/
# The VADER lexicon and the static files are built into the image; nothing is fetched at run time.
# The secret below exists only for these two build commands and is not kept in the image.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
      sh -c 'python manage.py install_vader_lexicon && python manage.py collectstatic --noinput --verbosity 0' \
 && useradd --system --home-dir /app candor \
 && mkdir -p /app/var \
 && chown -R candor /app/var

USER candor
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi"]
