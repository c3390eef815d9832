"""A generated matrix role × route × commune, through the real app, checked against the policy.

Routes and the (object, action) each one authorizes are discovered from the app's dependency closures;
for every built-in role and both communes the HTTP outcome (403 or the route's success status) must
agree with `is_allowed` and with the catalogue, writes must leave exactly one audit row where allowed and
none where refused, and no commune token is ever allowed in the other commune.
"""

from __future__ import annotations

from typing import Any

from smartcommune.platform.identity.tokens import validate_bearer
from smartcommune.tenants.authz.authorizer import is_allowed
from smartcommune.tenants.authz.policy import COMMUNE_ROLES, PROVIDER_ROLES, RESIDENT, catalogue_allows

EXPECTED_COMMUNE_GUARDS = {
    # cameras, devices, operations centre (issue 5)
    ("GET", "/api/v1/cameras"): ("cameras", "read"),
    ("POST", "/api/v1/cameras"): ("cameras", "write"),
    ("GET", "/api/v1/cameras/{camera_id}"): ("cameras", "read"),
    ("PATCH", "/api/v1/cameras/{camera_id}"): ("cameras", "write"),
    ("POST", "/api/v1/cameras/{camera_id}/probe"): ("cameras", "write"),
    ("POST", "/api/v1/cameras/{camera_id}/snapshot"): ("cameras", "write"),
    ("GET", "/api/v1/cameras/{camera_id}/snapshot"): ("cameras", "read"),
    ("GET", "/api/v1/cameras/{camera_id}/preview.jpg"): ("cameras", "read"),
    ("GET", "/api/v1/camera-site-networks"): ("cameras", "read"),
    ("GET", "/api/v1/camera-site-network-requests"): ("cameras", "read"),
    ("POST", "/api/v1/camera-site-network-requests"): ("cameras", "write"),
    ("DELETE", "/api/v1/camera-site-networks/{network_id}"): ("cameras", "write"),
    ("GET", "/api/v1/camera-events"): ("camera_events", "read"),
    ("POST", "/api/v1/camera-events/{event_id}/promote"): ("camera_events", "write"),
    ("POST", "/api/v1/camera-events/{event_id}/dismiss"): ("camera_events", "write"),
    ("GET", "/api/v1/camera-events/{event_id}/snapshot"): ("camera_events", "read"),
    ("GET", "/api/v1/device-profiles"): ("devices", "read"),
    ("POST", "/api/v1/device-profiles"): ("devices", "write"),
    ("GET", "/api/v1/devices"): ("devices", "read"),
    ("POST", "/api/v1/devices"): ("devices", "write"),
    ("POST", "/api/v1/devices/bulk"): ("devices", "write"),
    ("GET", "/api/v1/devices/{device_id}"): ("devices", "read"),
    ("POST", "/api/v1/devices/{device_id}/credentials"): ("devices", "write"),
    ("GET", "/api/v1/devices/{device_id}/telemetry"): ("devices", "read"),
    ("POST", "/api/v1/devices/{device_id}/commands"): ("devices", "write"),
    ("GET", "/api/v1/device-commands/{command_id}"): ("devices", "read"),
    ("GET", "/api/v1/devices/{device_id}/commands"): ("devices", "read"),
    ("GET", "/api/v1/device-rules"): ("devices", "read"),
    ("POST", "/api/v1/device-rules"): ("devices", "write"),
    ("PATCH", "/api/v1/device-rules/{rule_id}"): ("devices", "write"),
    ("DELETE", "/api/v1/device-rules/{rule_id}"): ("devices", "write"),
    ("GET", "/api/v1/device-alarms"): ("devices", "read"),
    ("POST", "/api/v1/device-alarms/{alarm_id}/ack"): ("devices", "write"),
    ("GET", "/api/v1/telemetry-dead-letters"): ("devices", "read"),
    ("GET", "/api/v1/operations/overview"): ("dashboard", "read"),
    ("GET", "/api/v1/operations/stream"): ("dashboard", "read"),
    ("POST", "/api/v1/cameras/onvif/discover"): ("cameras", "write"),
    ("POST", "/api/v1/cameras/{camera_id}/onvif/device-information"): ("cameras", "write"),
    # residents and households, self-registration
    ("GET", "/api/v1/households"): ("residents", "read"),
    ("POST", "/api/v1/households"): ("residents", "write"),
    ("POST", "/api/v1/households/import"): ("residents", "write"),
    ("GET", "/api/v1/households/{household_id}"): ("residents", "read"),
    ("PATCH", "/api/v1/households/{household_id}"): ("residents", "write"),
    ("GET", "/api/v1/households/{household_id}/plate"): ("residents", "read"),
    ("GET", "/api/v1/residents"): ("residents", "read"),
    ("POST", "/api/v1/residents"): ("residents", "write"),
    ("POST", "/api/v1/residents/import"): ("residents", "write"),
    ("GET", "/api/v1/residents/{resident_id}"): ("residents", "read"),
    ("PATCH", "/api/v1/residents/{resident_id}"): ("residents", "write"),
    ("POST", "/api/v1/residents/{resident_id}/verify"): ("residents", "write"),
    ("POST", "/api/v1/residents/{resident_id}/reject"): ("residents", "write"),
    ("DELETE", "/api/v1/households/{household_id}"): ("residents", "write"),
    ("POST", "/api/v1/households/{household_id}/restore"): ("residents", "write"),
    ("DELETE", "/api/v1/residents/{resident_id}"): ("residents", "write"),
    ("POST", "/api/v1/residents/{resident_id}/restore"): ("residents", "write"),
    ("GET", "/api/v1/village-heads"): ("role_assignments", "read"),
    ("PUT", "/api/v1/village-heads/{user_id}"): ("role_assignments", "write"),
    ("GET", "/api/v1/registration"): ("profile", "read"),
    ("POST", "/api/v1/registration"): ("profile", "write"),
    # announcements, deliveries, loudspeaker, web push subscriptions
    ("GET", "/api/v1/announcements"): ("announcements", "read"),
    ("POST", "/api/v1/announcements"): ("announcements", "write"),
    ("POST", "/api/v1/announcements/attachments"): ("announcements", "write"),
    ("GET", "/api/v1/announcements/{announcement_id}"): ("announcements", "read"),
    ("GET", "/api/v1/announcements/{announcement_id}/attachments/{file_id}"): ("announcements", "read"),
    ("POST", "/api/v1/announcements/{announcement_id}/cancel"): ("announcements", "write"),
    ("PATCH", "/api/v1/announcements/{announcement_id}"): ("announcements", "write"),
    ("GET", "/api/v1/announcements/{announcement_id}/deliveries"): ("announcements", "write"),
    ("GET", "/api/v1/loudspeaker"): ("announcements", "read"),
    ("GET", "/api/v1/push-subscriptions/key"): ("profile", "read"),
    ("POST", "/api/v1/push-subscriptions"): ("profile", "write"),
    ("DELETE", "/api/v1/push-subscriptions"): ("profile", "write"),
    # surveys
    ("GET", "/api/v1/surveys"): ("surveys", "read"),
    ("POST", "/api/v1/surveys"): ("survey_builder", "write"),
    ("GET", "/api/v1/surveys/{survey_id}"): ("surveys", "read"),
    ("POST", "/api/v1/surveys/{survey_id}/responses"): ("surveys", "write"),
    ("POST", "/api/v1/surveys/{survey_id}/close"): ("survey_builder", "write"),
    ("GET", "/api/v1/surveys/{survey_id}/results"): ("survey_builder", "read"),
    ("GET", "/api/v1/surveys/{survey_id}/results.csv"): ("survey_builder", "read"),
    ("GET", "/api/v1/me"): ("profile", "read"),
    # commune settings and branding (smartcommune.platform.commune)
    ("GET", "/api/v1/commune/settings"): ("settings", "read"),
    ("PUT", "/api/v1/commune/settings"): ("settings", "write"),
    ("POST", "/api/v1/commune/settings/logo"): ("settings", "write"),
    ("DELETE", "/api/v1/commune/settings/logo"): ("settings", "write"),
    ("GET", "/api/v1/commune/modules"): ("settings", "read"),
    ("PUT", "/api/v1/commune/modules/{code}"): ("settings", "write"),
    ("GET", "/api/v1/roles"): ("roles", "read"),
    ("POST", "/api/v1/roles"): ("roles", "write"),
    ("DELETE", "/api/v1/roles/{name}"): ("roles", "write"),
    ("GET", "/api/v1/role-assignments"): ("role_assignments", "read"),
    ("POST", "/api/v1/role-assignments"): ("role_assignments", "write"),
    ("DELETE", "/api/v1/role-assignments"): ("role_assignments", "write"),
    ("GET", "/api/v1/users"): ("users", "read"),
    ("POST", "/api/v1/users"): ("users", "write"),
    ("GET", "/api/v1/villages"): ("villages", "read"),
    ("POST", "/api/v1/villages"): ("villages", "write"),
    ("GET", "/api/v1/villages/{village_id}"): ("villages", "read"),
    ("PATCH", "/api/v1/villages/{village_id}"): ("villages", "write"),
    ("GET", "/api/v1/audit"): ("audit", "read"),
    ("GET", "/api/v1/inbox"): ("profile", "read"),
    ("POST", "/api/v1/inbox/{item_id}/read"): ("profile", "read"),
    # field reports, Open311 keys, procedures and applications, contacts and library
    ("GET", "/api/v1/report-categories"): ("reports", "read"),
    ("POST", "/api/v1/report-categories"): ("settings", "write"),
    ("PATCH", "/api/v1/report-categories/{category_id}"): ("settings", "write"),
    ("POST", "/api/v1/reports"): ("reports", "write"),
    ("GET", "/api/v1/reports"): ("reports", "read"),
    ("GET", "/api/v1/reports/{report_id}"): ("reports", "read"),
    ("GET", "/api/v1/reports/{report_id}/photos/{photo_id}"): ("reports", "read"),
    ("POST", "/api/v1/reports/{report_id}/comments"): ("reports", "write"),
    ("POST", "/api/v1/reports/{report_id}/rating"): ("reports", "write"),
    ("GET", "/api/v1/triage/reports"): ("report_triage", "read"),
    ("GET", "/api/v1/triage/reports/{report_id}"): ("report_triage", "read"),
    ("GET", "/api/v1/triage/reports/{report_id}/photos/{photo_id}"): ("report_triage", "read"),
    ("POST", "/api/v1/triage/reports/{report_id}/transition"): ("report_triage", "write"),
    ("POST", "/api/v1/triage/reports/{report_id}/replies"): ("report_triage", "write"),
    ("POST", "/api/v1/triage/reports/{report_id}/notes"): ("report_triage", "write"),
    ("POST", "/api/v1/triage/reports/{report_id}/assign"): ("report_triage", "write"),
    ("GET", "/api/v1/triage/staff"): ("report_triage", "read"),
    ("POST", "/api/v1/triage/reports/{report_id}/moderation"): ("report_moderation", "write"),
    ("GET", "/api/v1/open311/keys"): ("settings", "read"),
    ("POST", "/api/v1/open311/keys"): ("settings", "write"),
    ("DELETE", "/api/v1/open311/keys/{key_id}"): ("settings", "write"),
    ("GET", "/api/v1/procedures"): ("procedure_catalogue", "read"),
    ("POST", "/api/v1/procedures"): ("procedure_catalogue", "write"),
    ("PATCH", "/api/v1/procedures/{procedure_id}"): ("procedure_catalogue", "write"),
    ("POST", "/api/v1/applications"): ("procedures", "write"),
    ("GET", "/api/v1/applications"): ("procedures", "read"),
    ("GET", "/api/v1/applications/{application_id}"): ("procedures", "read"),
    ("GET", "/api/v1/applications/{application_id}/files/{attachment_id}"): ("procedures", "read"),
    ("POST", "/api/v1/applications/{application_id}/supplement"): ("procedures", "write"),
    ("GET", "/api/v1/one-stop/applications"): ("applications", "read"),
    ("POST", "/api/v1/one-stop/applications"): ("applications", "write"),
    ("GET", "/api/v1/one-stop/applications/{application_id}"): ("applications", "read"),
    ("GET", "/api/v1/one-stop/applications/{application_id}/files/{attachment_id}"): ("applications", "read"),
    ("POST", "/api/v1/one-stop/applications/{application_id}/transition"): ("applications", "write"),
    ("POST", "/api/v1/contacts"): ("directory", "write"),
    ("PATCH", "/api/v1/contacts/{contact_id}"): ("directory", "write"),
    ("DELETE", "/api/v1/contacts/{contact_id}"): ("directory", "write"),
    ("POST", "/api/v1/library/categories"): ("library", "write"),
    ("POST", "/api/v1/library"): ("library", "write"),
    ("DELETE", "/api/v1/library/{document_id}"): ("library", "write"),
    # fees and payments
    ("GET", "/api/v1/fees/types"): ("fees", "read"),
    ("POST", "/api/v1/fees/types"): ("fees", "write"),
    ("PATCH", "/api/v1/fees/types/{fee_type_id}"): ("fees", "write"),
    ("GET", "/api/v1/fees/bank-account"): ("fees", "read"),
    ("PUT", "/api/v1/fees/bank-account"): ("fees", "write"),
    ("GET", "/api/v1/fees/invoices"): ("invoices", "read"),
    ("POST", "/api/v1/fees/invoices"): ("invoices", "write"),
    ("POST", "/api/v1/fees/invoices/bulk"): ("invoices", "write"),
    ("GET", "/api/v1/fees/invoices/{invoice_id}"): ("invoices", "read"),
    ("GET", "/api/v1/fees/invoices/{invoice_id}/vietqr"): ("invoices", "read"),
    ("POST", "/api/v1/fees/reminders"): ("invoices", "write"),
    ("GET", "/api/v1/fees/households/{household_id}/ledger"): ("invoices", "read"),
    ("GET", "/api/v1/fees/receipts"): ("invoices", "read"),
    ("GET", "/api/v1/me/invoices"): ("profile", "read"),
    ("GET", "/api/v1/me/receipts"): ("profile", "read"),
    ("GET", "/api/v1/me/invoices/{invoice_id}/vietqr"): ("profile", "read"),
    ("GET", "/api/v1/payments"): ("payments", "read"),
    ("GET", "/api/v1/payments/reconciliation"): ("payments", "read"),
    ("POST", "/api/v1/payments/{payment_id}/resolve"): ("payments", "write"),
    # production and traceability (smartcommune.platform.production)
    ("GET", "/api/v1/production/farms"): ("production", "read"),
    ("POST", "/api/v1/production/farms"): ("production", "write"),
    ("GET", "/api/v1/production/farms/{farm_id}"): ("production", "read"),
    ("POST", "/api/v1/production/farms/{farm_id}/plots"): ("production", "write"),
    ("POST", "/api/v1/production/farms/{farm_id}/certifications"): ("production", "write"),
    ("GET", "/api/v1/production/farms/{farm_id}/logs"): ("production", "read"),
    ("POST", "/api/v1/production/farms/{farm_id}/logs"): ("production", "write"),
    ("GET", "/api/v1/production/lots"): ("production", "read"),
    ("GET", "/api/v1/production/lots/{lot_id}"): ("production", "read"),
    ("GET", "/api/v1/production/lots/{lot_id}/qr.{fmt}"): ("production", "read"),
    ("GET", "/api/v1/production/lots/{lot_id}/epcis"): ("production", "read"),
    # dashboard, criteria, map layers (smartcommune.platform.insight)
    ("GET", "/api/v1/insight/dashboard"): ("dashboard", "read"),
    ("GET", "/api/v1/insight/criteria"): ("dashboard", "read"),
    ("GET", "/api/v1/insight/criteria/parameters"): ("dashboard", "read"),
    ("PUT", "/api/v1/insight/criteria"): ("dashboard", "write"),
    ("GET", "/api/v1/insight/criteria/snapshots"): ("dashboard", "read"),
    ("POST", "/api/v1/insight/criteria/snapshots"): ("dashboard", "write"),
    ("GET", "/api/v1/insight/map/{layer}"): ("dashboard", "read"),
    # services, tourism and products (smartcommune.platform.listings)
    ("GET", "/api/v1/listings"): ("listings", "read"),
    ("POST", "/api/v1/listings"): ("listings", "write"),
    ("GET", "/api/v1/listings/requests"): ("listings", "write"),
    ("GET", "/api/v1/listings/{listing_id}"): ("listings", "read"),
    ("PATCH", "/api/v1/listings/{listing_id}"): ("listings", "write"),
    ("POST", "/api/v1/listings/{listing_id}/photos"): ("listings", "write"),
}


def _oracle(role: str, obj: str, act: str) -> bool:
    """The catalogue alone: commune members also hold `resident` implicitly."""
    if role in PROVIDER_ROLES:
        return catalogue_allows(role, obj, act)
    return catalogue_allows(role, obj, act) or catalogue_allows(RESIDENT, obj, act)


def test_discovery_finds_the_guards_the_routers_declare(kit: Any) -> None:
    """The introspection the matrix relies on reads the (object, action) pairs written in the routers;
    a route added without updating this table fails here, so the matrix never silently shrinks."""
    discovered = {(s.method, s.path): (s.obj, s.act) for s in kit.routes if s.kind == "commune"}
    assert discovered == EXPECTED_COMMUNE_GUARDS


def test_commune_route_matrix(api: Any, kit: Any, commune_route: Any, role: str) -> None:
    obj, act = commune_route.obj, commune_route.act
    # Audited writes change commune data; a personal read receipt (act "read") is not audited.
    is_write = commune_route.method != "GET" and act != "read"
    outcomes = []
    for tenant in (api.a, api.b):
        other = api.other(tenant)
        actor = api.actor(tenant, role)
        principal = validate_bearer(actor.token)
        allowed = is_allowed(principal, tenant.commune_code, obj, act)
        assert allowed == _oracle(role, obj, act), (role, obj, act)

        req = kit.request_for(commune_route, tenant)
        here, there = kit.audit_count(tenant), kit.audit_count(other)
        response = api.send(req, tenant=tenant, actor=actor)
        outcomes.append((tenant.slug, response.status_code))
        expect = req.expected(role)
        if allowed:
            assert response.status_code == expect, (role, tenant.slug, response.text)
        else:
            assert response.status_code == 403, (role, tenant.slug, response.text)
            assert kit.error_code(response) == "forbidden"
        # A write refused as "not yours" (404, e.g. someone else's report) writes nothing either.
        assert kit.audit_count(tenant) - here == (1 if allowed and is_write and expect < 400 else 0)
        assert kit.audit_count(other) == there

        # No cross-commune allow: the same role's token of this commune, on the other commune.
        if role in COMMUNE_ROLES:
            assert not is_allowed(principal, other.commune_code, obj, act)
            req = kit.request_for(commune_route, other)
            state = kit.commune_state(other)
            response = api.send(req, tenant=other, actor=actor)
            assert response.status_code == 401, response.text
            assert kit.error_code(response) == "token_commune_mismatch"
            assert kit.commune_state(other) == state
    # The policy is shared: a role fares the same in both communes.
    assert outcomes[0][1] == outcomes[1][1], outcomes


def test_provider_route_matrix(api: Any, kit: Any, provider_route: Any, role: str) -> None:
    obj, act = provider_route.obj, provider_route.act
    actor = api.actor(api.a, role)
    principal = validate_bearer(actor.token)
    allowed = is_allowed(principal, None, obj, act)
    assert allowed == (role in PROVIDER_ROLES and catalogue_allows(role, obj, act))
    req = kit.request_for(provider_route, api.a)
    fleet = kit.scalar("SELECT string_agg(concat_ws(',', slug, status), ';' ORDER BY slug) FROM control.tenants")
    response = api.send(req, actor=actor)
    if role in COMMUNE_ROLES:
        assert response.status_code == 401, response.text
        assert kit.error_code(response) == "token_wrong_realm"
    elif allowed:
        assert response.status_code == req.expect, response.text
    else:
        assert response.status_code == 403, response.text
        assert kit.error_code(response) == "forbidden"
    # The provider API does not exist on a commune's host, for anyone.
    for tenant in (api.a, api.b):
        for via in ("host", "prefix"):
            response = api.send(req, tenant=tenant, via=via, actor=actor)
            assert response.status_code == 404, response.text
    assert kit.scalar("SELECT string_agg(concat_ws(',', slug, status), ';' ORDER BY slug) FROM control.tenants") == (
        fleet
    )


def test_anonymous_callers_are_asked_to_authenticate(api: Any, kit: Any, guarded_route: Any) -> None:
    req = kit.request_for(guarded_route, api.a)
    response = api.send(req, tenant=api.a if guarded_route.kind == "commune" else None)
    assert response.status_code == 401
    assert kit.error_code(response) == "token_missing"
