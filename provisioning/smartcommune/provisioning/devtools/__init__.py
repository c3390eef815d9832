"""Development tools `make run` starts beside the platform: a simulated camera (MJPEG), a project-owned MQTT
broker with the devices' credentials and ACLs, and simulated devices publishing telemetry through it."""
