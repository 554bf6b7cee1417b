# MIPRES abierto: the web application served by gunicorn.
#
#   docker build -t mipres-abierto .
#   docker run -e SECRET_KEY=... -e DATABASE_URL=postgres://... -p 8000:8000 mipres-abierto
#
# docker-compose.yml runs two of it behind HAProxy, with a task worker, PostgreSQL primary and
# replica, PgBouncer and Redis (docs/scaling.md). Settings come from the environment
# (mipres/settings.py, .env.example); DEBUG is off unless DEBUG=true is passed.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=2 \
    MIGRATE_ON_START=true

WORKDIR /app

# The process runs as this unprivileged user; the code and static files stay owned by root,
# so the application cannot modify them.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/mipres \
    --shell /usr/sbin/nologin mipres

# Runtime dependencies only (requirements-dev.txt is for developers and CI). psycopg[binary]
# ships its own libpq, so no compiler or system library is needed.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Hashed, compressed static files for whitenoise. Settings need a SECRET_KEY and a database
# URL to load; these two are placeholders that exist only during this build step (no database
# is contacted, and neither value is kept in the image's environment).
RUN SECRET_KEY=build-only-placeholder-not-used-at-runtime \
    DATABASE_URL=postgres://build@localhost/build \
    DEBUG=false \
    python manage.py collectstatic --noinput

USER mipres
EXPOSE 8000

# Migrations run before serving unless MIGRATE_ON_START=false (with several app containers,
# run `python manage.py migrate` once per release instead). WEB_CONCURRENCY sets the number of
# gunicorn workers; GUNICORN_CMD_ARGS can add any other gunicorn option.
CMD ["sh", "-c", "set -e; if [ \"$MIGRATE_ON_START\" = true ]; then python manage.py migrate --noinput; fi; exec gunicorn mipres.wsgi:application --bind 0.0.0.0:8000 --workers \"$WEB_CONCURRENCY\" --no-control-socket --access-logfile -"]
