"""Identity: OIDC token validation for any issuer, the embedded issuer, and the identity-admin port.

Production authenticates against Keycloak (one realm for communes with an Organization per commune, one
for provider staff); a single machine runs the embedded issuer, which signs tokens of the same shape.
"""
