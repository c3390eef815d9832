"""Channel configuration from the environment. Every channel defaults to the logging adapter."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ChannelSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = "development"
    # SMS: "logging" (development) or "esms" (eSMS.vn brandname API).
    sms_provider: str = "logging"
    esms_url: str = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    esms_api_key: str = ""
    esms_secret_key: str = ""
    esms_brandname: str = ""
    esms_sandbox: bool = False
    # Shared secret of the delivery-report callback URL given to eSMS (eSMS signs nothing); empty → no
    # CallbackUrl is sent and the callback route refuses every call.
    esms_callback_secret: str = ""
    # Zalo: "logging" or "zns" (Zalo Notification Service template messages).
    zalo_provider: str = "logging"
    zalo_zns_url: str = "https://business.openapi.zalo.me/message/template"
    zalo_access_token: str = ""
    zalo_template_id: str = ""
    # OA secret key: verifies `X-ZEvent-Signature` of the OA webhook (delivery reports); empty → refused.
    zalo_oa_secret_key: str = ""
    # Web push: VAPID key pair (private key as base64url raw or PEM); empty → logging adapter.
    vapid_private_key: str = ""
    vapid_public_key: str = ""
    vapid_subject: str = "mailto:hotro@smartcommune.vn"
    push_ttl_s: int = 86_400
    http_timeout_s: float = 10.0
    max_attempts: int = 3


@lru_cache
def get_channel_settings() -> ChannelSettings:
    return ChannelSettings()
