"""A local Xero emulator (identity + accounting API + webhooks + fault injection). Never imported by the addon."""
from .app import SandboxApp, create_app

__all__ = ["SandboxApp", "create_app"]
