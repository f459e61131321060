"""Logging for the CLI: the ``storysync`` logger as text or one JSON object per line on stderr."""

from __future__ import annotations

import json
import logging
import sys


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {"at": record.created, "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        for key in ("event", "fields", "run_id"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        return json.dumps(payload, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname.lower()}: {record.getMessage()}"
        fields = getattr(record, "fields", None)
        if fields:
            line += " " + " ".join(f"{k}={v}" for k, v in fields.items() if v not in (None, "", [], {}))
        return line


def configure_logging(log_format: str, *, verbose: bool) -> None:
    logger = logging.getLogger("storysync")
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter() if log_format == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
    # stamina logs each scheduled retry; ours are reported through events instead.
    logging.getLogger("stamina").setLevel(logging.ERROR if not verbose else logging.INFO)
