# syntax=docker/dockerfile:1
# PostGuard image: one image, five services. `docker run postguard serve <service>` where <service> is one of
# ingest, identifier-detection, advice-classification, image-screening, policy-decision.
# Review checklist: deploy/DOCKERFILE_REVIEW.md.
#
# The base is pinned to an exact Python patch release on Debian bookworm. For production builds also pin the
# digest: --build-arg PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:<digest from your registry>.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# ---- build: generate the gRPC stubs and install PostGuard with its dependencies into a virtualenv ----
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/postguard
ENV PATH=/opt/postguard/bin:$PATH
RUN pip install --no-cache-dir "grpcio-tools==1.85.1"
COPY pyproject.toml README.md constraints.txt ./
COPY protos ./protos
COPY services ./services
# Generated code is never committed: build it here, exactly as `make proto` does.
RUN python -m grpc_tools.protoc -I protos --python_out=services --pyi_out=services \
        --grpc_python_out=services protos/postguard/v1/*.proto \
    && pip install --no-cache-dir -c constraints.txt . \
    && pip uninstall --yes grpcio-tools \
    && python -c "import postguard.v1.screening_pb2_grpc, postguard.domain.models as m; \
assert m.NER_DIR.is_dir() and m.TEXTCAT_DIR.is_dir(), 'trained models missing from the package'"
COPY deploy/docker/healthcheck.py /opt/postguard/bin/postguard-healthcheck
RUN chmod 0755 /opt/postguard/bin/postguard-healthcheck

# ---- runtime: the virtualenv only, as an unprivileged user ----
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="postguard" \
      org.opencontainers.image.description="Screens a hospital's outgoing social-media posts" \
      org.opencontainers.image.licenses="Apache-2.0"
# image-screening's OCR: Debian's Tesseract 5 with English data (pytesseract runs the `tesseract` binary).
# Versions pinned to bookworm's; no recommends, apt lists removed in the same layer.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        tesseract-ocr=5.3.0-2 tesseract-ocr-eng=1:4.1.0-2 \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*
# /var/lib/postguard/redacted: image-screening's redacted copies (POSTGUARD_IMAGE_SCREENING_REDACTED_DIR); it
# exists in the image so a compose volume mounted there starts owned by the service user.
RUN groupadd --system --gid 10001 postguard \
    && useradd --system --uid 10001 --gid postguard --home-dir /var/lib/postguard --no-create-home \
        --shell /usr/sbin/nologin postguard \
    && mkdir -p /var/lib/postguard/redacted \
    && chown -R postguard:postguard /var/lib/postguard
COPY --from=build /opt/postguard /opt/postguard
ENV PATH=/opt/postguard/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/var/lib/postguard
# The image stack loads here, not only in the build stage: OpenCV with its bundled face cascades, Pillow with
# HEIF, pydicom, and Tesseract with English (the build fails instead of image-screening at start-up).
RUN python -c "import os, cv2, pillow_heif, pydicom, pytesseract; \
assert os.path.isfile(os.path.join(cv2.data.haarcascades, 'haarcascade_frontalface_default.xml')), 'no cascade'; \
assert 'eng' in pytesseract.get_languages(config=''), 'tesseract has no English data'"
# Working files (SQLite audit store, faust data) go here; mount a volume, or an emptyDir with a read-only root.
WORKDIR /var/lib/postguard
USER 10001:10001
# gRPC: ingest 50051, identifier-detection 50052, advice-classification 50053, policy-decision 50054,
# image-screening 50055; Prometheus metrics: 9101-9105 in the same order.
EXPOSE 50051 50052 50053 50054 50055 9101 9102 9103 9104 9105
# Docker / compose only; Kubernetes uses the chart's native gRPC probes.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 CMD ["postguard-healthcheck"]
ENTRYPOINT ["postguard"]
CMD ["serve", "ingest"]
