# The gateway and the translation service (Python 3.11, requirements/app.txt), for deploy/compose.yaml.
# Not built by the tests (no container runtime on the CI machine); deploy/compose.yaml is checked with `docker-compose config`.
FROM python:3.11-slim-bookworm
WORKDIR /app
COPY requirements/app.txt requirements/app.txt
RUN pip install --no-cache-dir -r requirements/app.txt
COPY . .
# The document index is built into the image (the action server reads its own copy in the Rasa image).
RUN python -m docsearch index knowledge
ENV HOST=0.0.0.0
