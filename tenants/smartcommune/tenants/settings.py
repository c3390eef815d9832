"""Process-wide settings, read from the environment (and `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = "development"
    # Owner connection: runs DDL (control and commune schemas). Empty → embedded pgserver under data_dir.
    database_url: str = ""
    # Login role the API and workers use; it can only SET ROLE into commune roles. Empty → derived.
    app_database_url: str = ""
    app_db_password: str = ""
    # LISTEN/NOTIFY needs a session that stays open: a direct connection, never a transaction-mode pooler.
    # Empty → the app login's URL (fine when that is not pooled).
    listen_database_url: str = ""
    data_dir: Path = Field(default=REPO_ROOT / ".data")
    # File bytes (smartcommune.platform.files.storage). Empty → {data_dir}/files on local disk (make run);
    # s3://bucket/prefix → object storage, S3_ENDPOINT_URL for S3-compatible stores (MinIO, Ceph RGW, …).
    files_url: str = ""
    # Production refuses a local folder unless every replica mounts the same volume there.
    files_shared_volume: bool = False
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_sse: str = ""  # "AES256" or "aws:kms"; empty → the bucket's default encryption
    s3_kms_key_id: str = ""
    s3_multipart_threshold_mb: int = 8
    # "stream": bytes pass through the API after authorization; "presign": a 307 to a short-lived URL.
    files_download: str = "stream"
    files_presign_ttl_s: int = 60
    # Celery broker. Empty → kombu's SQLAlchemy transport on the same PostgreSQL (no extra server).
    broker_url: str = ""
    mqtt_url: str = ""
    base_domain: str = "localhost"
    public_url: str = "http://localhost:8000"
    # OIDC: empty issuer → the embedded issuer at {public_url}/auth/realms/{realm}.
    oidc_issuer: str = ""
    oidc_staff_issuer: str = ""
    oidc_audience: str = "smartcommune"
    oidc_leeway_s: int = 30
    token_ttl_s: int = 900
    keycloak_url: str = ""
    keycloak_admin_user: str = ""
    keycloak_admin_password: str = ""
    tenant_cache_ttl_s: float = 30.0
    migration_lock_timeout_ms: int = 5000
    migration_workers: int = 4
    # Extra alembic version folders for the tenant environment (os.pathsep separated): plug-in migrations.
    tenant_extra_migrations: str = ""
    metrics_max_commune_labels: int = 500
    otp_ttl_s: int = 300
    otp_max_attempts: int = 5
    otp_requests_per_hour: int = 5
    # SMS pumping: codes one client address may ask for, and a commune may send, per hour (issue 16).
    otp_requests_per_address_per_hour: int = 10
    otp_requests_per_commune_per_hour: int = 300
    log_level: str = "INFO"
    log_json: bool = True
    # Payments. Bank-transfer webhooks: SePay's API key (`Authorization: Apikey …`), payOS's checksum key.
    sepay_api_key: str = ""
    payos_checksum_key: str = ""
    # Stripe: subscription billing of communes (control plane) and visitors' Checkout. Empty base → Stripe.
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_checkout_webhook_secret: str = ""
    stripe_api_base: str = ""
    billing_grace_days: int = 14
    billing_notice_days: int = 7
    # Cameras and devices (smartcommune.platform.cameras/devices/netguard).
    # Key for camera credentials at rest (urlsafe base64 of 32 bytes, Fernet). Empty → a key file generated
    # under data_dir at first use (never committed).
    credential_key: str = ""
    # The platform's own networks (comma-separated CIDRs): never reachable through a camera URL.
    netguard_deny_cidrs: str = ""
    # Development only (`make run`, e2e): exact host:port pairs (or URLs) of camera simulators a camera URL
    # may point at even on loopback. Refused at start-up when ENVIRONMENT=production.
    dev_camera_urls: str = ""
    camera_open_timeout_ms: int = 1500
    camera_read_timeout_ms: int = 1500
    camera_health_interval_s: int = 30
    camera_degraded_after_ms: int = 1500
    camera_preview_interval_s: float = 2.0
    device_offline_after_s: int = 300
    mqtt_ingest_username: str = ""
    mqtt_ingest_password: str = ""
    mqtt_ingest_batch: int = 500
    mqtt_ingest_flush_ms: int = 200
    mqtt_ingest_ack_after_commit: bool = False

    @model_validator(mode="after")
    def _no_dev_cameras_in_production(self) -> Settings:
        if self.environment == "production" and self.dev_camera_urls.strip():
            raise ValueError("DEV_CAMERA_URLS is a development setting; it is refused when ENVIRONMENT=production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
