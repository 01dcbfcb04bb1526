"""The hotline's Grafana dashboards as code (grafana-foundation-sdk): `python -m deploy.grafana.generate`."""
