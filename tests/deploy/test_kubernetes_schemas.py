"""Every rendered manifest validates against the Kubernetes OpenAPI schemas shipped in kubernetes-validate.

Strict mode: unknown fields fail (a misspelt `readinessProbe` would otherwise be silently dropped by the
API server). Custom resources are not in those schemas: the ServiceMonitor (Prometheus Operator), the
ScaledObject and TriggerAuthentication (KEDA) are checked here against the few fields the chart sets
instead, and only when their CRDs are named in CUSTOM_KINDS (any other unknown kind fails).
"""

from __future__ import annotations

from typing import Any

import pytest
from deploy.deploy_support import KUBE_VERSION, Render

kubernetes_validate = pytest.importorskip("kubernetes_validate")

# apiVersion/kind -> the fields the chart relies on. Justification for skipping the schema: these are CRDs
# whose schemas come with their operators, not with Kubernetes; kubernetes-validate has no schema for them.
CUSTOM_KINDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): ("selector", "endpoints"),
    ("keda.sh/v1alpha1", "ScaledObject"): ("scaleTargetRef", "triggers"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"): ("secretTargetRef",),
}


def test_schemas_for_the_target_version_are_shipped() -> None:
    from kubernetes_validate.utils import all_versions

    assert KUBE_VERSION in all_versions(), all_versions()


def validate(doc: dict[str, Any]) -> None:
    key = (doc["apiVersion"], doc["kind"])
    if key in CUSTOM_KINDS:
        assert doc["metadata"]["name"] and doc["metadata"]["namespace"]
        for field in CUSTOM_KINDS[key]:
            assert doc["spec"].get(field), f"{key}: spec.{field}"
        return
    kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)


@pytest.mark.parametrize("namespace", ["ci-defaults", "smartcommune", "ci-all"])
def test_manifests_validate(renders: dict[str, Render], namespace: str) -> None:
    render = renders[namespace]
    assert render.docs
    errors = []
    for doc in render.docs:
        try:
            validate(doc)
        except Exception as exc:  # collect every failure, not just the first
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {str(exc).splitlines()[0]}")
    assert errors == []


def test_validation_catches_a_bad_manifest(renders: dict[str, Render]) -> None:
    """The check has teeth: a misspelt field fails strict validation."""
    import copy

    doc = copy.deepcopy(renders["ci-defaults"].of_kind("Deployment")[0])
    doc["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)


def test_every_manifest_is_namespaced(renders: dict[str, Render]) -> None:
    for render in renders.values():
        for doc in render.docs:
            assert doc["metadata"].get("namespace") == render.namespace, (doc["kind"], doc["metadata"]["name"])
