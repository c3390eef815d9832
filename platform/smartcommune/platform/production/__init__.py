"""Production and traceability: farms, plots, a farmOS-style log, lots with GS1 Digital Link and EPCIS."""
