"""IoT devices of a commune: profiles, per-device MQTT credentials, telemetry, commands, rules and alarms."""
