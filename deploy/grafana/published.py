"""The engines' own dashboards, published by their projects: linked from ours rather than copied into them."""

from __future__ import annotations

from deploy.grafana.panels import Link

# temporalio/dashboards: the server's dashboards (frontend, history, matching, persistence) and the SDKs'. There is
# no official grafana.com id for them; the repository is where Temporal keeps them. The Core-based SDKs' dashboard
# assumes the SDK's default names (milliseconds, no unit suffix): ours (workflows worker) follows the worker's
# PrometheusConfig instead (deploy/grafana/temporal_sdk.py).
TEMPORAL_SERVER = Link(
    "Temporal server (temporalio/dashboards)",
    "https://github.com/temporalio/dashboards/tree/master/server",
    "Import server/server-general.json: frontend, history, matching and persistence of the Temporal cluster.",
)
TEMPORAL_SDK = Link(
    "Temporal SDK (temporalio/dashboards)",
    "https://github.com/temporalio/dashboards/tree/master/sdk",
    "The SDKs' dashboards; for Python (Core-based) temporal-core-sdks-otel.json.",
)
# prometheus-nats-exporter's walkthrough ships dashboards for the names the NATS Helm chart's sidecar produces
# (`-prefix=nats`: nats_varz_*, nats_stream_*, nats_consumer_*). grafana.com's "NATS Servers" (2279) is written for
# the exporter's unprefixed names (gnatsd_varz_*): it shows nothing against this chart's sidecar unless its queries'
# prefix is changed.
NATS_SERVERS = Link(
    "NATS servers (prometheus-nats-exporter)",
    "https://github.com/nats-io/prometheus-nats-exporter/blob/main/walkthrough/grafana-nats-dash-helm.json",
    "Connections, messages and bytes per NATS server, for the chart's nats_* names (grafana.com 2279: gnatsd_*).",
)
NATS_JETSTREAM = Link(
    "NATS JetStream (prometheus-nats-exporter)",
    "https://github.com/nats-io/prometheus-nats-exporter/blob/main/walkthrough/grafana-jetstream-dash-helm.json",
    "Storage, streams and consumers per server, for the chart's nats_* names.",
)

ENGINES = (TEMPORAL_SERVER, TEMPORAL_SDK, NATS_SERVERS, NATS_JETSTREAM)
