"""``hipwise live``: the browser coach (FastAPI app, WebSocket frames, static page).

Heavy imports (FastAPI, the pose model) happen inside the functions that need them."""

from hipwise.web.config import LiveConfig, load_live_config

__all__ = ["LiveConfig", "load_live_config"]
