"""Fleet health for provider staff: per commune, cameras and devices offline and overdue field reports."""
