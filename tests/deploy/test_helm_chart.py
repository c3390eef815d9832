"""The chart, rendered by the real Helm SDK (helm-python-sdk: Helm v4 compiled as a C library).

Covers: lint, values.schema.json (accepts the shipped values, rejects bad ones), and the properties the
deployment relies on: one Deployment per Celery queue, probes and resources everywhere, the pre-upgrade
migration hook, secrets only by reference, wildcard ingress, optional components gated by values.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from deploy.deploy_support import (
    CHART,
    KUBE_VERSION,
    PRODUCTION_VALUES,
    RELEASE,
    Render,
    production_values,
    render_chart,
)

helm = pytest.importorskip("helm_python")

QUEUES = ("default", "provisioning", "notifications", "cameras")
SECRET_ENV = {"DATABASE_URL", "APP_DATABASE_URL", "APP_DB_PASSWORD", "BROKER_URL", "RESULT_BACKEND_URL", "MQTT_URL"}
SECRET_ENV |= {"KEYCLOAK_ADMIN_PASSWORD"}
FULL = f"{RELEASE}-smartcommune"


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc["spec"]["template"]["spec"]
    return list(spec.get("containers", [])) + list(spec.get("initContainers", []))


def test_sdk_is_helm_v4() -> None:
    assert helm.helm_sdk_version().startswith("v4."), helm.helm_sdk_version()


@pytest.mark.parametrize("values_name", ["defaults", "production"])
def test_lint_is_clean(values_name: str) -> None:
    values = production_values() if values_name == "production" else None
    report = helm.lint(str(CHART), values, strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"] == []
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert problems == [], problems


def test_schema_accepts_shipped_values() -> None:
    with helm.Chart.load(CHART) as chart:
        assert chart.schema is not None
        chart.validate_schema(None)
        chart.validate_schema(production_values())


@pytest.mark.parametrize(
    ("patch", "why"),
    [
        ({"workers": {"reports": {"enabled": True}}}, "unknown queue"),
        ({"secrets": {"existingSecret": ""}}, "secret reference required"),
        ({"api": {"resources": {"limits": None}}}, "limits required"),
        ({"containerSecurityContext": {"readOnlyRootFilesystem": False}}, "read-only root fs"),
        ({"baseDomain": "Not A Domain"}, "domain syntax"),
        ({"pgbouncer": {"poolMode": "statement"}}, "statement pooling breaks transactions"),
        ({"image": {"digest": "latest"}}, "digest syntax"),
        ({"databasePassword": "hunter2"}, "unknown top-level key (e.g. an inlined secret)"),
    ],
)
def test_schema_rejects_bad_values(patch: dict[str, Any], why: str) -> None:
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError):
        chart.validate_schema(patch)


def test_no_document_is_swallowed(renders: dict[str, Render]) -> None:
    """A template that glues `---` onto the previous line merges two manifests into one (YAML keeps the
    last duplicate key): every `kind:` line must come out as its own document."""
    import re

    for r in renders.values():
        kinds = sum(len(re.findall(r"^kind: ", text, re.M)) for path, text in r.files.items() if path.endswith(".yaml"))
        assert kinds == len(r.docs)


def test_default_render_components(renders: dict[str, Render]) -> None:
    r = renders["ci-defaults"]
    deployments = {d["metadata"]["name"] for d in r.of_kind("Deployment")}
    assert deployments == {f"{FULL}-api", f"{FULL}-beat"} | {f"{FULL}-worker-{q}" for q in QUEUES}
    # Optional components are off by default: CRDs (ServiceMonitor, KEDA), ingester, camera workers, web.
    kinds = {d["kind"] for d in r.docs}
    assert {"ServiceMonitor", "ScaledObject"}.isdisjoint(kinds)
    assert kinds >= {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"}
    assert kinds >= {"Ingress", "Job", "ServiceAccount"}
    assert "Secret" not in kinds


def test_worker_per_queue(renders: dict[str, Render]) -> None:
    r = renders["ci-defaults"]
    for queue in QUEUES:
        (c,) = containers(r.named("Deployment", f"{FULL}-worker-{queue}"))
        assert c["args"][:3] == ["worker", "--queues", queue]
        assert "ping" in " ".join(c["livenessProbe"]["exec"]["command"])
        r.named("HorizontalPodAutoscaler", f"{FULL}-worker-{queue}")
        r.named("PodDisruptionBudget", f"{FULL}-worker-{queue}")


def test_api_probes_and_command(renders: dict[str, Render]) -> None:
    for r in renders.values():
        (c,) = containers(r.named("Deployment", f"{FULL}-api"))
        assert c["args"][:3] == ["serve", "--host", "0.0.0.0"]
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_beat_is_a_singleton(renders: dict[str, Render]) -> None:
    beat = renders["ci-defaults"].named("Deployment", f"{FULL}-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    (c,) = containers(beat)
    assert c["command"][:6] == ["/usr/bin/tini", "--", "celery", "-A", "smartcommune.main", "beat"]
    assert not any(
        d["metadata"]["name"] == f"{FULL}-beat" for d in renders["ci-defaults"].of_kind("HorizontalPodAutoscaler")
    )


def test_migration_job_is_a_pre_upgrade_hook(renders: dict[str, Render]) -> None:
    job = renders["ci-defaults"].named("Job", f"{FULL}-migrate")
    hooks = set(job["metadata"]["annotations"]["helm.sh/hook"].split(","))
    assert hooks == {"pre-install", "pre-upgrade"}
    (c,) = containers(job)
    assert c["args"][0] == "migrate"
    # The hook runs before the release's other objects exist: its service account is a hook too.
    sa = renders["ci-defaults"].named("ServiceAccount", job["spec"]["template"]["spec"]["serviceAccountName"])
    assert int(sa["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
        job["metadata"]["annotations"]["helm.sh/hook-weight"]
    )
    assert not any(e.get("valueFrom", {}).get("configMapKeyRef") for e in c["env"])


def test_secrets_are_referenced_never_inlined(renders: dict[str, Render]) -> None:
    for r in renders.values():
        assert not r.of_kind("Secret")
        for doc in r.of_kind("Deployment") + r.of_kind("Job"):
            for c in containers(doc):
                for env in c.get("env", []):
                    if env["name"] in SECRET_ENV:
                        assert set(env) == {"name", "valueFrom"}, (doc["metadata"]["name"], env["name"])
                        assert env["valueFrom"]["secretKeyRef"]["name"]
                    assert not ("PASSWORD" in env["name"] and "value" in env), env["name"]


def test_every_container_is_bounded_and_unprivileged(renders: dict[str, Render]) -> None:
    for r in renders.values():
        for doc in r.of_kind("Deployment") + r.of_kind("Job"):
            pod = doc["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert pod["automountServiceAccountToken"] is False
            for c in containers(doc):
                assert {"cpu", "memory"} <= set(c["resources"]["limits"]), c["name"]
                assert {"cpu", "memory"} <= set(c["resources"]["requests"]), c["name"]
                assert c["securityContext"]["readOnlyRootFilesystem"] is True
                assert c["securityContext"]["allowPrivilegeEscalation"] is False
            if doc["kind"] == "Deployment" and not doc["metadata"]["name"].endswith("-beat"):
                assert all("livenessProbe" in c and "readinessProbe" in c for c in pod["containers"])


def test_ingress_wildcard_and_base_host(renders: dict[str, Render]) -> None:
    (ing,) = renders["smartcommune"].of_kind("Ingress")
    hosts = [rule["host"] for rule in ing["spec"]["rules"]]
    assert hosts == ["xathongminh.gov.vn", "*.xathongminh.gov.vn"]
    assert ing["spec"]["tls"][0]["hosts"] == hosts
    # issue 16: bounded bodies and upstream timeouts at the ingress too (buffered, so a slow upload ties no API worker)
    notes = ing["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/proxy-body-size"] == "48m"
    assert notes["nginx.ingress.kubernetes.io/proxy-request-buffering"] == "on"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) <= 60


def test_production_render(renders: dict[str, Render]) -> None:
    r = renders["smartcommune"]
    # KEDA replaces the HPA of the queues that use it, and nothing pins their replica count.
    scaled = {d["metadata"]["name"] for d in r.of_kind("ScaledObject")}
    assert scaled == {f"{FULL}-worker-{q}" for q in ("default", "provisioning", "notifications")}
    hpas = {d["metadata"]["name"] for d in r.of_kind("HorizontalPodAutoscaler")}
    assert scaled.isdisjoint(hpas)
    for name in scaled:
        assert "replicas" not in r.named("Deployment", name)["spec"]
    assert r.of_kind("ServiceMonitor")
    # Images are pinned by digest.
    for doc in r.of_kind("Deployment") + r.of_kind("Job"):
        for c in containers(doc):
            assert "@sha256:" in c["image"], c["image"]
    # PgBouncer: transaction mode, upstream from values, auth file from a Secret.
    ini = r.named("ConfigMap", f"{FULL}-pgbouncer")["data"]["pgbouncer.ini"]
    assert "pool_mode = transaction" in ini
    assert "rds.amazonaws.com" in ini


def test_optional_components_render_when_enabled(renders: dict[str, Render]) -> None:
    r = renders["ci-all"]
    (ingester,) = containers(r.named("Deployment", f"{FULL}-ingester"))
    assert ingester["args"] == ["mqtt-ingest"]
    (camera,) = containers(r.named("Deployment", f"{FULL}-camera-worker"))
    assert camera["args"][0] == "camera-worker"
    web = r.named("Deployment", f"{FULL}-web")
    assert web["spec"]["template"]["spec"]["initContainers"][0]["name"] == "assets"
    (ing,) = r.of_kind("Ingress")
    assert [p["path"] for p in ing["spec"]["rules"][0]["http"]["paths"]] == ["/app", "/"]
    r.named("NetworkPolicy", f"{FULL}-camera-sites")


def test_production_runs_the_ingester_and_camera_worker_with_probes_metrics_and_keda_auth(
    renders: dict[str, Render],
) -> None:
    r = renders["smartcommune"]
    for component, args in (("ingester", ["mqtt-ingest"]), ("camera-worker", ["camera-worker", "--shard", "0/1"])):
        (c,) = containers(r.named("Deployment", f"{FULL}-{component}"))
        assert c["args"] == args
        assert c["ports"] == [{"name": "http", "containerPort": 9000, "protocol": "TCP"}]
        env = {e["name"]: e.get("value") for e in c["env"]}
        assert env["HEALTH_PORT"] == "9000"
        for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            assert c[probe]["httpGet"] == {"path": path, "port": "http"}, (component, probe)
        service = r.named("Service", f"{FULL}-{component}")
        assert service["spec"]["ports"][0]["port"] == 9000
        monitor = r.named("ServiceMonitor", f"{FULL}-{component}")
        assert monitor["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]
        assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
        r.named("NetworkPolicy", f"{FULL}-{component}-metrics")
    (ingester,) = containers(r.named("Deployment", f"{FULL}-ingester"))
    assert {e["name"]: e.get("value") for e in ingester["env"]}["MQTT_INGEST_SHARED_GROUP"] == "ingest"
    r.named("ServiceMonitor", f"{FULL}-api")
    # KEDA's Redis trigger authenticates with the password from the existing Secret.
    (auth,) = r.of_kind("TriggerAuthentication")
    assert auth["spec"]["secretTargetRef"] == [
        {"parameter": "password", "name": "smartcommune-env", "key": "REDIS_PASSWORD"}
    ]
    for scaled in r.of_kind("ScaledObject"):
        (trigger,) = scaled["spec"]["triggers"]
        assert trigger["authenticationRef"] == {"name": auth["metadata"]["name"]}


def test_render_fails_without_required_values() -> None:
    values = copy.deepcopy(production_values())
    values["keda"]["redisAddress"] = ""
    with pytest.raises(helm.HelmError):
        render_chart(values, "ci-bad")
    assert PRODUCTION_VALUES.exists()


def test_production_keeps_no_file_in_the_container(renders: dict[str, Render]) -> None:
    """Every platform container of the production render stores files in the bucket, never on its own disk:
    FILES_URL is s3://, no local-volume declaration, and the only writable mount is the memory-backed /tmp."""
    r = renders["smartcommune"]
    platform_containers = 0
    for doc in r.of_kind("Deployment") + r.of_kind("Job"):
        pod = doc["spec"]["template"]["spec"]
        for volume in pod.get("volumes", []):
            assert set(volume) & {"emptyDir", "configMap", "secret", "projected"}, volume
            assert "hostPath" not in volume and "persistentVolumeClaim" not in volume, volume
        for c in containers(doc):
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            if "ENVIRONMENT" not in env:
                continue  # PgBouncer and other non-platform containers
            platform_containers += 1
            assert str(env["FILES_URL"]).startswith("s3://"), (doc["metadata"]["name"], env.get("FILES_URL"))
            assert env["FILES_SHARED_VOLUME"] == "false"
            assert env["S3_SSE"] == "aws:kms"
            assert "DATA_DIR" not in env
            for mount in c.get("volumeMounts", []):
                assert mount["mountPath"] == "/tmp" or mount.get("readOnly"), mount
    assert platform_containers >= 4
