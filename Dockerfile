# The production image: gunicorn serving config.wsgi, static files by WhiteNoise.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --system --uid 10001 --create-home --home-dir /home/app app
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Production settings refuse to import without these; the values exist only for this build step
# and are not in the image's environment.
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_SECRET_KEY=build-time-only-collectstatic-never-used-to-serve-0123456789 \
    DJANGO_API_TOKEN_PEPPER=build-time-only-collectstatic-never-used-to-serve-0123456789 \
    DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput

USER app
ENV DJANGO_SETTINGS_MODULE=config.settings.production
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-b", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
