"""The floor for benchmarks/e2e.py: a minimal Bolt app that echoes each message, served the way
`python -m bot serve` is served (gunicorn, gthread workers, the same worker and thread counts,
Bolt's WSGI adapter, Bolt's own signature check), so what the bot costs above it is the bot.

    SLACK_BOT_TOKEN=... SLACK_SIGNING_SECRET=... SLACK_API_URL=... PORT=3000 \
        .venv/bin/python benchmarks/echo_app.py

Each reply carries the same metadata as the bot's (`reply_id` = `channel:ts#0` of the message it
answers), so the benchmark times both the same way. GET /healthz answers `ok` once started.
"""

from __future__ import annotations

import os
from typing import Any


def application() -> Any:
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ.get("SLACK_API_URL") or WebClient.BASE_URL)
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"], token_verification_enabled=False)

    @app.event("message")
    def echo(event: dict[str, Any], client: WebClient) -> None:
        if event.get("bot_id") or event.get("subtype"):
            return
        channel, ts = event["channel"], event["ts"]
        client.chat_postMessage(channel=channel, thread_ts=event.get("thread_ts"), text=event.get("text") or "…",
                                metadata={"event_type": "echo", "event_payload": {"reply_id": f"{channel}:{ts}#0"}})

    bolt = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "3")])
            return [b"ok\n"]
        return bolt(environ, start_response)

    return wsgi


def main() -> int:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:  # as bot/slack/server.py serve() configures gunicorn
            self.cfg.set("bind", f"127.0.0.1:{os.environ.get('PORT', '3000')}")
            self.cfg.set("workers", int(os.environ.get("WEB_CONCURRENCY", "2")))
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", int(os.environ.get("WEB_THREADS", "8")))
            self.cfg.set("timeout", 30)
            self.cfg.set("accesslog", None)
            self.cfg.set("loglevel", "warning")

        def load(self) -> Any:
            return application()

    Server().run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
