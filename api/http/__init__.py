"""The HTTP edge: routes, problems, auth and rate limits, the answer cache, logs, metrics, the OpenAPI document."""
