"""催报 (issue 16, item 2): reminders through real local servers the tests start: an HTTP server
standing in for the 企业微信 and 钉钉 group robots (one path answering 500, one errcode 40001, one
checking 钉钉's 加签 as the robot does), and an SMTP server (aiosmtpd). Delivery, retries, records and the command line."""
import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ADMIN, add_account, free_port, run_cli
from metrics import auth, catalog, remind
from metrics.ingest import import_file

ADMIN_ACTOR = auth.Actor(ADMIN, "admin")
ZONE = catalog.ZONE
TODAY = dt.date(2023, 6, 6)
NO_WAIT = {"backoff": (0, 0), "sleep": lambda seconds: None}


class Robots:
    """A local HTTP server recording every POSTed JSON body by path: /ok answers errcode 0,
    /broken HTTP 500, /refused errcode 40001 (WeCom's invalid-credential answer), /signed errcode 0
    only with DingTalk's 加签 for SIGNING_SECRET, made within the hour, and 310000 otherwise."""

    def __init__(self):
        self.received: dict[str, list[dict]] = {}
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                path, _, query = self.path.partition("?")
                robots.received.setdefault(path, []).append(body)
                status, answer = {"/broken": (500, {}),
                                  "/refused": (200, {"errcode": 40001, "errmsg": "invalid credential"}),
                                  "/signed": (200, {"errcode": 0, "errmsg": "ok"} if dingtalk_signed(query)
                                              else {"errcode": 310000, "errmsg": "sign not match"}),
                                  }.get(path, (200, {"errcode": 0, "errmsg": "ok"}))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


SIGNING_SECRET = "SEC" + "0123456789abcdef" * 4


def dingtalk_signed(query: str) -> bool:
    """DingTalk's own check of a signed webhook: the timestamp (ms) within the hour, and the sign
    base64(HMAC-SHA256(secret, "timestamp\\nsecret")), as its documentation gives it."""
    fields = urllib.parse.parse_qs(query)
    if "timestamp" not in fields or "sign" not in fields:
        return False
    stamp = fields["timestamp"][0]
    expected = base64.b64encode(hmac.new(SIGNING_SECRET.encode(), f"{stamp}\n{SIGNING_SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    return abs(time.time() * 1000 - int(stamp)) < 3_600_000 and fields["sign"][0] == expected


@pytest.fixture
def robots():
    server = Robots()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def mail_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()  # returns once the server answers
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def due_store(store_on_each_engine):
    """Every task reported for 2023-05 except land_cleared, owned by 国土 (with an e-mail and a mobile)."""
    store = store_on_each_engine
    add_account(store, "国土", "editor")
    store.set_task("land_cleared", ZONE, department="自然资源和规划分局", editors=["国土"], due_day=5, by=ADMIN_ACTOR)
    store.set_contact("国土", email="guotu@example.gov.cn", mobile="13800000001", by=ADMIN_ACTOR)
    codes = [c for c in store.tasks().indicator_code if c != "land_cleared"]
    text = "指标编码,期间,数值\n" + "".join(f"{c},2023-05,1\n" for c in codes)
    assert import_file(store, text.encode("utf-8"), "其余.csv", actor=ADMIN_ACTOR).committed
    return store


def test_each_owner_gets_one_message_per_channel_naming_what_is_due_and_when(due_store, robots, mail_server):
    controller, mailbox = mail_server
    due_store.add_channel("wecom", {"url": robots.url("/wecom")}, by=ADMIN_ACTOR)
    due_store.add_channel("dingtalk", {"url": robots.url("/dingtalk")}, by=ADMIN_ACTOR)
    due_store.add_channel("smtp", {"host": "127.0.0.1", "port": controller.port, "sender": "tongji@example.gov.cn",
                                   "starttls": False}, by=ADMIN_ACTOR)
    run = remind.send_reminders(due_store, "2023-05", by=ADMIN_ACTOR, today=TODAY, **NO_WAIT)
    assert [r.owner for r in run.due] == ["国土"] and not run.failed
    wecom, = robots.received["/wecom"]
    assert wecom["msgtype"] == "text" and wecom["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert "低效用地清理面积（XX经济开发区）：6月5日前，已逾期" in wecom["text"]["content"]
    assert "2023年5月" in wecom["text"]["content"]
    dingtalk, = robots.received["/dingtalk"]
    assert dingtalk["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    assert "@13800000001" in dingtalk["text"]["content"]
    (recipients, mail), = mailbox.messages
    assert recipients == ["guotu@example.gov.cn"] and "催报" in mail["Subject"]
    assert "低效用地清理面积" in mail.get_content()
    sent = due_store.reminders("2023-05")
    assert sorted(sent.channel_kind) == ["dingtalk", "smtp", "wecom"]
    assert sent.ok.all() and (sent.attempts == 1).all() and set(sent.sent_by) == {ADMIN}
    assert "guotu@example.gov.cn" in set(sent.recipient)
    assert len(due_store.audit_log(action="remind")) == 3


def test_a_failing_channel_is_retried_recorded_and_does_not_block_the_others(due_store, robots, mail_server):
    controller, mailbox = mail_server
    waits = []
    for path in ("/broken", "/refused", "/ok"):
        due_store.add_channel("wecom", {"url": robots.url(path)}, by=ADMIN_ACTOR)
    due_store.add_channel("smtp", {"host": "127.0.0.1", "port": free_port(), "sender": "a@example.gov.cn"},
                          by=ADMIN_ACTOR)  # nothing listens there
    due_store.add_channel("smtp", {"host": "127.0.0.1", "port": controller.port, "sender": "a@example.gov.cn"},
                          by=ADMIN_ACTOR)
    run = remind.send_reminders(due_store, "2023-05", by=ADMIN_ACTOR, today=TODAY, backoff=(0.01, 0.02),
                                sleep=waits.append)
    assert len(robots.received["/broken"]) == 3 and len(robots.received["/refused"]) == 3
    assert len(robots.received["/ok"]) == 1 and len(mailbox.messages) == 1
    assert waits == [0.01, 0.02] * 3
    sent = due_store.reminders("2023-05").sort_values("id")
    assert list(sent.ok) == [False, False, True, False, True]
    assert list(sent.attempts) == [3, 3, 1, 3, 1]
    errors = list(sent.error)
    assert "HTTP 500" in errors[0] and "errcode 40001" in errors[1] and "invalid credential" in errors[1]
    assert "邮件服务器" in errors[3] and errors[2] == errors[4] == ""
    assert len(run.failed) == 3


def test_an_owner_without_an_address_is_reported_and_a_department_without_editors_is_named(robots,
                                                                                            store_on_each_engine):
    store = store_on_each_engine
    store.add_channel("wecom", {"url": robots.url("/ok")}, by=ADMIN_ACTOR)
    store.add_channel("smtp", {"host": "127.0.0.1", "port": free_port(), "sender": "a@example.gov.cn"},
                      by=ADMIN_ACTOR)
    run = remind.send_reminders(store, "2023-05", by=ADMIN_ACTOR, today=TODAY, **NO_WAIT)
    departments = {t.department for t in store.tasks().itertuples()}
    assert {r.owner for r in run.due} == departments
    assert len(robots.received["/ok"]) == len(departments) and not run.failed
    assert all("没有邮箱" in owner for owner in run.unreachable) and len(run.unreachable) == len(departments)
    assert robots.received["/ok"][0]["text"]["mentioned_mobile_list"] == []


def test_only_an_administrator_sets_channels_and_sends(due_store):
    editor = auth.Actor("国土", "editor")
    with pytest.raises(auth.PermissionDenied, match="催报"):
        due_store.add_channel("wecom", {"url": "http://127.0.0.1/x"}, by=editor)
    with pytest.raises(auth.PermissionDenied, match="催报"):
        due_store.record_reminder(period="2023-05", channel_id=1, channel_kind="wecom", recipient="x", message="x",
                                  attempts=1, ok=True, error="", by=editor)


@pytest.mark.parametrize("kind, settings, problem", [
    ("wecom", {"url": "qyapi.weixin.qq.com"}, "Webhook 地址"),
    ("smtp", {"host": "", "port": 25, "sender": "a@b.cn"}, "SMTP 服务器"),
    ("smtp", {"host": "mail", "port": 0, "sender": "a@b.cn"}, "端口"),
    ("smtp", {"host": "mail", "port": 25, "sender": "tongji"}, "发件人"),
    ("feishu", {}, "渠道类型"),
    ("dingtalk", {"url": "http://127.0.0.1/x", "secret": "0123456789abcdef"}, "SEC 开头"),
    ("wecom", {"url": "http://127.0.0.1/x", "secret": SIGNING_SECRET}, "没有加签密钥"),
])
def test_a_channel_with_bad_settings_is_refused_in_chinese(empty_store, kind, settings, problem):
    with pytest.raises(Exception, match=problem):
        empty_store.add_channel(kind, settings, by=ADMIN_ACTOR)
    assert empty_store.channels() == []


# ---- the command line ----------------------------------------------------------------------------


def test_remind_command_sends_reports_failures_in_its_exit_code_and_records_them(due_store, robots):
    assert run_cli("channels", "add", "dingtalk", "--url", robots.url("/broken"), db=due_store).returncode == 0
    assert run_cli("channels", "add", "wecom", "--url", robots.url("/ok"), db=due_store).returncode == 0
    result = run_cli("remind", "--period", "2023-05", "--today", "2023-06-06", db=due_store)
    assert result.returncode == 1
    assert "发送失败" in result.stderr and "HTTP 500" in result.stderr and "已尝试 3 次" in result.stderr
    assert "已发送 企业微信群机器人" in result.stdout and "失败 1 条" in result.stdout
    assert len(robots.received["/broken"]) == 3 and len(robots.received["/ok"]) == 1
    assert sorted(due_store.reminders().ok) == [False, True]


def test_remind_dry_run_prints_what_would_be_sent_and_sends_and_records_nothing(due_store, robots):
    run_cli("channels", "add", "wecom", "--url", robots.url("/ok"), db=due_store, check=True)
    result = run_cli("remind", "--period", "2023-05", "--today", "2023-06-06", "--dry-run", db=due_store)
    assert result.returncode == 0, result.stderr
    assert "将发送" in result.stdout and "低效用地清理面积" in result.stdout and "没有发送" in result.stdout
    assert robots.received == {} and due_store.reminders().empty
    assert due_store.audit_log(action="remind").empty


def test_remind_without_channels_or_as_an_editor_is_refused_in_chinese(due_store):
    result = run_cli("remind", "--period", "2023-05", db=due_store)
    assert result.returncode == 1 and "channels add" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("remind", "--period", "2023-05", db=due_store, user="国土")
    assert result.returncode == 1 and "无权设置催报渠道和发送催报" in result.stderr


def test_a_month_fully_reported_needs_no_reminder(due_store, robots):
    run_cli("channels", "add", "wecom", "--url", robots.url("/ok"), db=due_store, check=True)
    text = "指标编码,期间,数值\nland_cleared,2023-05,120\n"
    assert import_file(due_store, text.encode("utf-8"), "国土.csv", actor=ADMIN_ACTOR).committed
    result = run_cli("remind", "--period", "2023-05", db=due_store)
    assert result.returncode == 0 and "无需催报" in result.stdout and robots.received == {}


def test_channels_command_adds_lists_and_removes_with_the_smtp_password_hidden(empty_store):
    added = run_cli("channels", "add", "smtp", "--host", "mail.example.gov.cn", "--port", "587", "--sender",
                    "tongji@example.gov.cn", "--starttls", "--login", "tongji", db=empty_store, stdin="S3cret-pass\n")
    assert added.returncode == 0, added.stderr
    assert empty_store.channels()[0]["settings"]["password"] == "S3cret-pass"  # kept to log in with
    listed = json.loads(run_cli("channels", "list", "--json", db=empty_store).stdout)
    assert listed[0]["settings"] == {"host": "mail.example.gov.cn", "port": 587, "sender": "tongji@example.gov.cn",
                                     "starttls": True, "login": "tongji", "password": "******"}
    assert "S3cret-pass" not in empty_store.audit_log(action="channel_add").after.iloc[0]
    bad = run_cli("channels", "add", "wechat", db=empty_store)
    assert bad.returncode == 1 and "wecom" in bad.stderr
    assert run_cli("channels", "remove", str(listed[0]["id"]), db=empty_store).returncode == 0
    assert empty_store.channels() == []
    assert "没有编号为" in run_cli("channels", "remove", "9", db=empty_store).stderr


def test_a_dingtalk_robot_with_signing_on_gets_signed_messages_and_a_wrong_secret_is_explained(due_store, robots):
    added = run_cli("channels", "add", "dingtalk", "--url", robots.url("/signed?access_token=t0k3n"), "--sign",
                    db=due_store, stdin=SIGNING_SECRET + "\n")
    assert added.returncode == 0, added.stderr
    listed = json.loads(run_cli("channels", "list", "--json", db=due_store).stdout)
    assert listed[0]["settings"] == {"url": robots.url("/signed?access_token=t0k3n"), "secret": "******"}
    assert SIGNING_SECRET not in due_store.audit_log(action="channel_add").after.iloc[0]
    run = remind.send_reminders(due_store, "2023-05", by=ADMIN_ACTOR, today=TODAY, **NO_WAIT)
    assert not run.failed and len(robots.received["/signed"]) == 1  # the robot's own check passed
    due_store.add_channel("dingtalk", {"url": robots.url("/signed?access_token=t0k3n"), "secret": "SEC" + "f" * 64},
                          by=ADMIN_ACTOR)
    run = remind.send_reminders(due_store, "2023-05", by=ADMIN_ACTOR, today=TODAY, **NO_WAIT)
    failed, = run.failed
    assert "errcode 310000" in failed.error and "加签校验未通过" in failed.error and "--sign" in failed.error
