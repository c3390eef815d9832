"""Observability: JSON logs carrying commune and request id, Prometheus metrics, health and readiness.

Modules (import them directly; this package re-exports nothing so importing it stays cheap):
  logging          configure_logging(), get_logger()
  request_context  RequestContextMiddleware (X-Request-ID, one access line per request)
  metrics          MetricsMiddleware, metrics_response(), HttpMetrics
  health           router with /healthz and /readyz
"""
