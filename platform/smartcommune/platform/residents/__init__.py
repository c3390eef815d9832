"""People and places: households with a digital address code, residents, self-registration, CSV import."""
