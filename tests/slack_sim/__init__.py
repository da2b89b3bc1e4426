"""Slack simulator for tests: the app talks to a fake Web API and is driven by signed,
Slack-shaped requests, so the whole request path runs without reaching Slack.

    with FakeSlackAPI(users={"U1": {"name": "ann"}}) as fake:
        # start the app with SLACK_API_URL=fake.url and a known signing secret
        slack = SlackDriver(app_url, "secret", fake_api=fake)      # over HTTP, or in-process:
        slack = InProcessApp(runtime, fake, redis_url).slack      # app.dispatch(BoltRequest)
        resp, event_id, ts = slack.message("D_U1", "U1", "hello", channel_type="im")
        [post] = fake.wait_for("chat.postMessage")
"""
from .driver import Delivered, Response, SlackDriver, rich_text, sign
from .fake_api import Call, FakeSlackAPI, next_ts

__all__ = ["Call", "Delivered", "FakeSlackAPI", "Response", "SlackDriver", "next_ts", "rich_text", "sign"]
