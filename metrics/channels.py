"""催报 channels and contacts: which kinds exist, what each needs, and what may be shown of them.
Kept apart from the sending (metrics.remind) so the store can check settings without it."""
from __future__ import annotations

import re

CHANNEL_KINDS = {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人", "smtp": "电子邮件（SMTP）"}
WEBHOOK_KINDS = ("wecom", "dingtalk")
SECRET_SETTINGS = ("password", "secret")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_MOBILE = re.compile(r"1\d{10}")
_DINGTALK_SECRET = re.compile(r"SEC[0-9A-Za-z]{16,}")  # as the robot's 加签 setting shows it


def channel_problem(kind: str, settings: dict) -> str | None:
    """Why a channel's settings cannot be used, in Chinese; None when they can."""
    if kind not in CHANNEL_KINDS:
        return f"渠道类型“{kind}”无效，应为 {'、'.join(CHANNEL_KINDS)} 之一（企业微信、钉钉、邮件）。"
    if kind in WEBHOOK_KINDS:
        url = settings.get("url", "")
        if not re.match(r"https?://\S+$", url):
            return f"{CHANNEL_KINDS[kind]}需要机器人的 Webhook 地址（http:// 或 https:// 开头），请用 --url 给出。"
        secret = settings.get("secret")
        if secret is not None and (kind != "dingtalk" or not _DINGTALK_SECRET.fullmatch(secret)):
            return ("钉钉加签密钥应为机器人安全设置“加签”处显示的、SEC 开头的一串字母和数字，请复制完整后用 --sign 重新添加。"
                    if kind == "dingtalk" else "企业微信群机器人没有加签密钥，请去掉 --sign。")
        return None
    if not settings.get("host"):
        return "邮件渠道需要 SMTP 服务器地址，请用 --host 给出。"
    if not isinstance(settings.get("port"), int) or not 0 < settings["port"] < 65536:
        return "邮件渠道的端口应为 1–65535 之间的整数，请用 --port 给出（常见：25、465、587）。"
    if not _EMAIL.fullmatch(settings.get("sender", "")):
        return "邮件渠道需要发件人地址（例如 tongji@example.gov.cn），请用 --sender 给出。"
    return None


def shown_settings(settings: dict) -> dict:
    """A channel's settings with its password hidden, for lists and the audit log."""
    return {k: ("******" if k in SECRET_SETTINGS and v else v) for k, v in settings.items()}


def contact_problem(email: str, mobile: str) -> str | None:
    if email and not _EMAIL.fullmatch(email):
        return f"邮箱“{email}”格式不对，例如 zhangsan@example.gov.cn。"
    if mobile and not _MOBILE.fullmatch(mobile):
        return f"手机号“{mobile}”格式不对，应为 11 位数字（群机器人用它 @ 本人）。"
    return None
