"""Open311 GeoReport v2 per commune (`jurisdiction_id` = commune code), JSON and XML, over field reports."""
