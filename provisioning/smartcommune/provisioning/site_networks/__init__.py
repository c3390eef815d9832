"""Camera site networks: provider staff approve or refuse what communes request."""
