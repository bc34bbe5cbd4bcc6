# Rasa and the action server (Python 3.10, requirements/rasa.txt), for deploy/compose.yaml. The model is
# Not built by the tests (no container runtime on the CI machine); deploy/compose.yaml is checked with `docker-compose config`.
# trained while the image is built, so every replica runs the same one.
FROM python:3.10-slim-bookworm
WORKDIR /app
COPY requirements/rasa.txt requirements/rasa.txt
RUN pip install --no-cache-dir -r requirements/rasa.txt
COPY . .
RUN rasa train --config config.yml --domain bot/domain --data nlu_data bot/data --out models \
        --fixed-model-name assistant \
    && python -m docsearch index knowledge
ENV RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
