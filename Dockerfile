# councilflow in a container: `docker build -t councilflow .`, then compose.yaml (docs/operators.md, "Containers").
# Three stages: GOV.UK Frontend's Sass compiled with node; the wheel built and installed, with every
# dependency from requirements.lock (hashes checked), into a virtualenv; a slim runtime that runs as a user
# of its own and holds that virtualenv and the wheel it was installed from.

FROM node:22-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY webui/static/scss webui/static/scss
RUN node_modules/.bin/sass --load-path=node_modules --no-source-map --style=compressed --quiet-deps \
        webui/static/scss/govuk-frontend.scss webui/static/build/govuk-frontend.css

FROM python:3.11-slim AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/councilflow
COPY requirements.lock /tmp/requirements.lock
RUN /opt/councilflow/bin/pip install --require-hashes -r /tmp/requirements.lock \
    && /opt/councilflow/bin/pip install "setuptools==80.9.0" "wheel==0.48.0"
WORKDIR /src
COPY pyproject.toml README.md ./
COPY engine engine
COPY adapters adapters
COPY webui webui
COPY processes processes
COPY forms forms
COPY --from=assets /src/webui/static/build/govuk-frontend.css webui/static/build/govuk-frontend.css
COPY --from=assets /src/node_modules /tmp/node_modules
RUN /opt/councilflow/bin/python -m webui.assets /tmp/node_modules \
    && /opt/councilflow/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
    && /opt/councilflow/bin/pip install --no-deps /wheels/councilflow-*.whl \
    && /opt/councilflow/bin/pip uninstall --yes setuptools wheel

FROM python:3.11-slim
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/councilflow councilflow
COPY --from=wheel /opt/councilflow /opt/councilflow
COPY --from=wheel /wheels /opt/wheels
ENV PATH=/opt/councilflow/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    COUNCILFLOW_FORMS_DIR=/opt/councilflow/share/councilflow/forms
USER councilflow
WORKDIR /var/lib/councilflow
EXPOSE 5000
# Alive (not ready: /readyz is for the load balancer, so a slow database does not get the container restarted).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=4)"]
CMD ["councilflow", "serve", "--host", "0.0.0.0", "--port", "5000"]
