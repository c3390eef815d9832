"""Small helpers every feature domain shares (one way to do each thing)."""
