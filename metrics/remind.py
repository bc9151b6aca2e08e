"""催报: remind each owner with missing figures, once per channel, through 企业微信 or 钉钉 group
robots (a JSON POST to the robot's webhook) and e-mail over SMTP.

Only the standard library sends (urllib.request, smtplib), each with a timeout. A delivery that
fails is tried again after a short wait, then recorded as failed; it never stops the others.
Every message sent is recorded in the store, with its channel, recipient, result and error.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import partial
from typing import Callable

from .channels import CHANNEL_KINDS
from .i18n import period_name
from .store.errors import StoreError
from .tasks import SENT_STATES, TaskState, TaskStatus, progress

ATTEMPTS = 3
BACKOFF_SECONDS = (1.0, 3.0)  # the waits before the second and third attempts
TIMEOUT_SECONDS = 10
DINGTALK_SIGN_REFUSED = 310000  # 钉钉: the sign, the timestamp or the robot's security settings do not match
DINGTALK_SIGN_REFUSED_HINT = ("（钉钉加签校验未通过：请核对机器人安全设置中的加签密钥，用 channels add dingtalk --sign "
                              "重新添加；并确认服务器时间准确，误差不能超过一小时）")


class DeliveryFailed(Exception):
    """Why one attempt to deliver a message failed, in Chinese."""


@dataclass
class Reminder:
    """One owner's reminder: an editor account (with its contacts), or a department no editor is named for."""
    owner: str
    department: str
    items: list[TaskStatus]
    email: str = ""
    mobile: str = ""

    def text(self, period: str, today: dt.date) -> str:
        lines = [f"【催报】{period_name(period)}数据，请{self.department}{'' if self.owner == self.department else self.owner}"
                 f"按时填报以下 {len(self.items)} 项："]
        for item in self.items:
            late = "，已逾期" if item.state == TaskState.OVERDUE else ""
            lines.append(f"· {item.indicator}（{item.entity}）：{item.due.month}月{item.due.day}日前{late}")
        lines.append(f"（{today:%Y-%m-%d} 开发区指标跟踪系统自动发送；在“数据上传”页面填报。）")
        return "\n".join(lines)


@dataclass
class Outcome:
    """One message on one channel: sent (ok), failed after every attempt, or only planned (dry run)."""
    channel_id: int
    channel_kind: str
    recipient: str
    text: str
    ok: bool | None = None
    attempts: int = 0
    error: str = ""


@dataclass
class RemindRun:
    period: str
    due: list[Reminder] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # owners a channel had no address for

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok is False]


def reminders_due(statuses: list[TaskStatus], contacts: dict[str, dict]) -> list[Reminder]:
    """One reminder per owner of figures not yet in: each editor named, else the department."""
    by_owner: dict[str, Reminder] = {}
    for item in statuses:
        if item.state in SENT_STATES:
            continue
        for owner in item.editors or (item.department,):
            contact = contacts.get(owner, {})
            reminder = by_owner.setdefault(owner, Reminder(owner, item.department, [], contact.get("email", ""),
                                                           contact.get("mobile", "")))
            reminder.items.append(item)
    return list(by_owner.values())


def webhook_payload(kind: str, text: str, mobiles: list[str]) -> dict:
    """The robot's documented text message, with the owner @-mentioned by mobile."""
    if kind == "wecom":
        return {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mobiles}}
    # DingTalk highlights an @ only when the mobile also appears in the text.
    mentions = "".join(f" @{m}" for m in mobiles)
    return {"msgtype": "text", "text": {"content": text + mentions}, "at": {"atMobiles": mobiles, "isAtAll": False}}


def signed_url(url: str, secret: str, now_ms: int) -> str:
    """A 钉钉 robot's webhook with its 加签: the robot refuses a message whose timestamp is over an
    hour old or whose sign is not base64(HMAC-SHA256(secret, "timestamp\\nsecret"))."""
    digest = hmac.new(secret.encode("utf-8"), f"{now_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))
    return f"{url}{'&' if '?' in url else '?'}timestamp={now_ms}&sign={sign}"


def webhook_url(settings: dict) -> str:
    """Where to POST now: the configured webhook, signed afresh on every attempt when it has a secret."""
    if not settings.get("secret"):
        return settings["url"]
    return signed_url(settings["url"], settings["secret"], int(time.time() * 1000))


def post_webhook(url: str, payload: dict, timeout: float = TIMEOUT_SECONDS) -> None:
    """POST the JSON; a status outside 2xx, or a body whose errcode is not 0, is a failure."""
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"机器人返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryFailed(f"无法连接机器人地址（{getattr(exc, 'reason', exc)}）") from None
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        raise DeliveryFailed("机器人的回复不是 JSON") from None
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        hint = DINGTALK_SIGN_REFUSED_HINT if answer.get("errcode") == DINGTALK_SIGN_REFUSED else ""
        raise DeliveryFailed(f"机器人返回 errcode {answer.get('errcode')}：{answer.get('errmsg', '')}{hint}")


def _post_to_channel(settings: dict, payload: dict, timeout: float) -> None:
    post_webhook(webhook_url(settings), payload, timeout)


def send_mail(settings: dict, to: str, subject: str, text: str, timeout: float = TIMEOUT_SECONDS) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings["sender"], to, subject
    message.set_content(text)
    try:
        with smtplib.SMTP(settings["host"], settings["port"], timeout=timeout) as smtp:
            if settings.get("starttls"):
                smtp.starttls(context=ssl.create_default_context())
            if settings.get("login"):
                smtp.login(settings["login"], settings.get("password", ""))
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"邮件服务器 {settings['host']}:{settings['port']} 未能发送（{exc}）") from None


def deliver(send: Callable[[], None], attempts: int = ATTEMPTS, backoff=BACKOFF_SECONDS,
            sleep: Callable[[float], None] = time.sleep) -> tuple[int, str]:
    """Try `send` up to `attempts` times, waiting `backoff[i]` before try i + 2; returns (tries, last error or "")."""
    error = ""
    for attempt in range(attempts):
        if attempt:
            sleep(backoff[min(attempt - 1, len(backoff) - 1)])
        try:
            send()
            return attempt + 1, ""
        except DeliveryFailed as exc:
            error = str(exc)
    return attempts, error


def send_reminders(store, period: str, *, by, today: dt.date | None = None, dry_run: bool = False,
                   attempts: int = ATTEMPTS, backoff=BACKOFF_SECONDS, sleep=time.sleep,
                   timeout: float = TIMEOUT_SECONDS) -> RemindRun:
    """Remind every owner with missing figures on every configured channel; `dry_run` plans and
    records nothing. Each message sent is recorded (and audited) by the store as it goes."""
    today = today or dt.date.today()
    channels = store.channels()
    if not channels:
        raise StoreError("还没有配置催报渠道。请先用 `python -m metrics channels add wecom|dingtalk|smtp …` 添加。")
    contacts = {c["user_name"]: c for c in store.contacts().to_dict("records")}
    run = RemindRun(period, reminders_due(progress(store, period, today), contacts))
    for reminder in run.due:
        text = reminder.text(period, today)
        for channel in channels:
            kind, settings = channel["kind"], channel["settings"]
            if kind == "smtp":
                if not reminder.email:
                    run.unreachable.append(f"{reminder.owner}（{CHANNEL_KINDS[kind]}：没有邮箱）")
                    continue
                recipient = reminder.email
                subject = f"【催报】{period_name(period)}数据待填报（{len(reminder.items)} 项）"
                send = partial(send_mail, settings, recipient, subject, text, timeout)
            else:
                recipient = reminder.owner + (f" @{reminder.mobile}" if reminder.mobile else "")
                payload = webhook_payload(kind, text, [reminder.mobile] if reminder.mobile else [])
                send = partial(_post_to_channel, settings, payload, timeout)
            outcome = Outcome(channel["id"], kind, recipient, text)
            if not dry_run:
                outcome.attempts, outcome.error = deliver(send, attempts, backoff, sleep)
                outcome.ok = not outcome.error
                store.record_reminder(period=period, channel_id=channel["id"], channel_kind=kind,
                                      recipient=recipient, message=text, attempts=outcome.attempts,
                                      ok=outcome.ok, error=outcome.error, by=by)
            run.outcomes.append(outcome)
    return run

