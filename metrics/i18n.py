"""Every UI string, in Chinese (the default) and English. Pages call `t("key")` through
metrics.ui.common, which knows the session's language; nothing here imports Streamlit.

The 汇报 sentences (metrics.narrative) and the chart texts (metrics.chartdata) stay Chinese in
both languages: they are the words that go into the Chinese report and the slides.
"""
from __future__ import annotations

from .calc import split_period
from .catalog import Indicator, categories

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"

_STRINGS: dict[str, tuple[str, str]] = {
    # app and navigation
    "app_title": ("开发区指标跟踪", "Zone indicator tracker"),
    "language": ("语言 / Language", "语言 / Language"),
    "section_indicators": ("指标", "Indicators"),
    "section_themes": ("专题", "Themes"),
    "section_data": ("数据", "Data"),
    "page_overview": ("总览", "Overview"),
    "page_detail": ("指标详情", "Indicator detail"),
    "page_compare": ("对比", "Comparison"),
    "page_debt": ("债务结构", "Debt structure"),
    "page_investment": ("招商与外资", "Investment & foreign capital"),
    "page_land": ("用地", "Land"),
    "page_safety": ("安全生产", "Work safety"),
    "page_rectification": ("整改进展", "Rectification progress"),
    "page_upload": ("数据上传", "Upload data"),
    "page_export": ("导出汇报", "Export deck"),
    "section_admin": ("管理", "Admin"),
    "page_targets": ("目标管理", "Targets"),
    "page_locks": ("月份锁定", "Locked months"),
    "page_audit": ("操作日志", "Audit log"),
    "health_ok": ("数据库正常（{figures} 条数据）", "Database OK ({figures} figures)"),
    "health_failed": ("数据库异常：{problem}", "Database problem: {problem}"),
    # pickers
    "period": ("月份", "Month"),
    "entity": ("主体", "Entity"),
    "indicator": ("指标", "Indicator"),
    "no_data": ("还没有任何数据。请在“数据上传”页面上传本月数据，或运行 `python -m metrics demo` 载入示例数据。",
                "No figures yet. Upload this month's figures on the Upload page, or run "
                "`python -m metrics demo` to load illustrative data."),
    "illustrative_banner": ("【示例数据】本页的月度数字为系统生成的示例数据，不是真实统计；标有“示例目标”的目标也非正式目标。",
                            "[示例数据 — illustrative] The monthly figures on this page are generated examples, "
                            "not real statistics; targets marked 示例目标 are not official."),
    "illustrative": ("示例数据", "示例数据 (illustrative)"),
    # chart helper
    "report_sentence": ("汇报口径（可复制）", "Report sentence (Chinese, ready to copy)"),
    "download_png": ("下载PNG", "Download PNG"),
    "add_to_deck": ("加入汇报", "Add to deck"),
    "added_to_deck": ("已加入汇报：{names}（共 {count} 项）", "Added to the deck: {names} ({count} in total)"),
    "in_deck": ("已在汇报中", "In the deck"),
    "png_unavailable": ("PNG 导出模块（metrics.export.images）尚未安装，暂不能下载图片。",
                        "The PNG exporter (metrics.export.images) is not installed yet; pictures cannot be downloaded."),
    # overview
    "headline": ("{on_pace} 项达到序时进度，{behind} 项滞后", "{on_pace} on pace, {behind} behind"),
    "headline_as_of": ("截至{period}  ·  {entity}  ·  目标后标 * 的为示例目标", "As of {period}  ·  {entity}  ·  targets marked * are examples"),
    "card_ytd": ("累计", "YTD"),
    "card_level": ("月末", "Month-end"),
    "card_month": ("本月", "Month"),
    "card_annual": ("年度目标", "Annual target"),
    "card_year_end": ("年末目标", "Year-end target"),
    "card_floor": ("不低于", "At least"),
    "card_ceiling": ("不高于", "At most"),
    "card_pace": ("完成{completion}｜序时{progress}", "done {completion} | pace {progress}"),
    "card_yoy": ("同比", "YoY"),
    "card_no_target": ("无目标", "No target"),
    "card_met": ("达标", "Met"),
    "card_not_met": ("未达标", "Not met"),
    "card_gap": ("{sign}{points}个百分点", "{sign}{points} pts"),
    "card_within_target": ("已控制在目标以内", "Within target"),
    "card_target_reached": ("已达到目标", "Target reached"),
    "card_short_of_target": ("距目标差{amount}", "{amount} short of target"),
    "card_over_target": ("高于目标{amount}", "{amount} above target"),
    "card_places_short": ("距目标差{n}位", "{n} places short"),
    "card_rank_up": ("前进{n}位", "up {n}"),
    "card_rank_down": ("后退{n}位", "down {n}"),
    "card_no_data": ("暂无数据", "No data"),
    "ledger_progress": ("整改进展", "Rectification"),
    "ledger_line": ("问题 {total} 个：已完成 {done}，推进中 {in_progress}  ·  措施 {measures} 项：已完成 {measures_done}，推进中 {measures_open}",
                    "{total} problems: {done} done, {in_progress} in progress  ·  {measures} measures: {measures_done} done, {measures_open} in progress"),
    "ledger_disagrees": ("报告汇总称已完成 {done} 个、推进中 {in_progress} 个，与其逐项清单不一致（详见整改进展）",
                         "The report's summary says {done} done and {in_progress} in progress, which disagrees with its own list (see Rectification)"),
    # status
    "status_green": ("达到序时进度", "On pace"),
    "status_amber": ("略滞后", "Slightly behind"),
    "status_red": ("滞后", "Behind"),
    "status_none": ("无目标", "No target"),
    # detail
    "metric_month": ("本月值", "This month"),
    "metric_ytd": ("累计值", "Year to date"),
    "metric_level": ("月末值", "Month-end"),
    "metric_target": ("目标", "Target"),
    "metric_completion": ("完成率 / 序时进度", "Completion / time pace"),
    "metric_yoy": ("同比", "Year on year"),
    "metric_mom": ("环比", "Month on month"),
    "months_table": ("逐月数据（与上年同期比较）", "Month by month, against the same month last year"),
    "col_month": ("月份", "Month"),
    "col_value": ("本月值", "Figure for the month"),
    "col_ytd": ("累计值", "YTD"),
    "col_last_year": ("上年同月", "Same month last year"),
    "col_last_year_ytd": ("上年同期累计", "Last year YTD"),
    "col_yoy": ("同比", "YoY"),
    "col_mom": ("环比", "MoM"),
    "report_figures": ("报告数据及出处", "Figures in the report, with citations"),
    "no_report_figures": ("报告中没有引用该指标的数据。", "The report quotes no figure for this indicator."),
    "col_year": ("年份", "Year"),
    "col_scope": ("口径", "Scope"),
    "col_figure": ("数值", "Figure"),
    "col_section": ("报告章节", "Report section"),
    "col_phrase": ("原文", "Quoted sentence"),
    "scope_year": ("全年", "Full year"),
    "scope_since_inspection": ("巡察整改以来", "Since the inspection"),
    "scope_point": ("时点", "Point in time"),
    "history": ("修订记录", "Revision history"),
    "history_caption": ("每次更正都保留旧值：谁、何时、从哪个上传批次改的。", "Every correction keeps the old figure: who changed it, when, and from which upload."),
    "col_revision": ("版本", "Revision"),
    "col_batch": ("批次", "Batch"),
    "col_file": ("文件", "File"),
    "col_user": ("上传人", "By"),
    "col_when": ("时间", "When"),
    "col_current": ("当前值", "Current"),
    "col_undone": ("已撤销", "Undone"),
    "definition": ("口径", "Definition"),
    "formula": ("计算公式：{formula}", "Formula: {formula}"),
    "problems": ("对应的巡察问题", "Inspection problems this indicator measures"),
    "no_problems": ("该指标未对应巡察问题。", "This indicator measures no inspection problem."),
    "target_source": ("目标来源：{source}", "Target source: {source}"),
    # themes
    "debt_intro": ("融资平台贷款按期限分层，短期债务占比越低越好。", "The financing platform's borrowing by maturity; a lower short-term share is better."),
    "investment_intro": ("亿元项目签约、招引、开工、竣工，以及有效投资和实际到账外资。", "Projects over 100 million yuan signed, attracted, started and completed, with effective investment and foreign capital received."),
    "land_intro": ("低效用地清理、新获批土地，以及亩均税收、亩均产出的底线要求。", "Inefficient land cleared, new land approved, and the per-mu tax and output floors."),
    "safety_intro": ("安全隐患排查与整改，整改率不低于底线要求。", "Hazards found and fixed; the fix rate must stay above its floor."),
    # compare
    "rank_caption": ("{entity}在 {count} 个{kind}中列第 {rank} 位", "{entity} ranks {rank} of {count} {kind}"),
    "not_ranked": ("{entity}在该月没有该指标数据，未参与排名。", "{entity} has no figure for this month and is not ranked."),
    "kind_zone": ("开发区", "zones"),
    "kind_enterprise": ("企业", "enterprises"),
    "small_multiples": ("各主体走势", "Trends by entity"),
    "no_ranking": ("该月没有{kind}报送这项指标，无法排名。", "No {kind} reported this indicator for the month: nothing to rank."),
    # rectification
    "problems_total": ("问题总数", "Problems"),
    "problems_done": ("已整改完成（逐项清单）", "Done (per the list)"),
    "problems_in_progress": ("正在推进（逐项清单）", "In progress (per the list)"),
    "measures_done": ("措施已完成", "Measures done"),
    "summary_says": ("报告汇总口径：已完成 {done} 个，正在推进 {in_progress} 个", "The report's summary: {done} done, {in_progress} in progress"),
    "list_says": ("报告逐项清单：已整改完成 {done} 个，正在推进 {in_progress} 个。本台账按逐项清单记录每个问题的状态。",
                  "The report's own list: {done} done, {in_progress} in progress. This ledger holds each problem as listed."),
    "col_ordinal": ("序号", "Order"),
    "col_measure": ("整改措施", "Measure"),
    "disagreement_title": ("报告前后口径不一致（按逐项清单记录，未作调整）", "The report disagrees with itself (held as listed, not reconciled)"),
    "filter_status": ("按状态筛选", "Filter by status"),
    "status_done": ("已完成", "Done"),
    "status_in_progress": ("推进中", "In progress"),
    "col_id": ("编号", "No."),
    "col_title": ("问题", "Problem"),
    "col_status": ("状态", "Status"),
    "col_lead_unit": ("牵头单位", "Lead unit"),
    "col_deadline": ("完成时限", "Deadline"),
    "col_indicators": ("关联指标", "Indicators"),
    "col_measures": ("措施", "Measures"),
    "not_given": ("报告未载明", "Not given in the report"),
    "measures_of": ("{id} {title} — 整改措施", "{id} {title} — measures"),
    # upload (数据上传); the title is page_upload. Problems found in a file (metrics.ingest) stay Chinese.
    "upload_tab_file": ("上传文件", "Upload a file"),
    "upload_tab_template": ("下载模板", "Download the template"),
    "upload_tab_history": ("上传历史", "Upload history"),
    "upload_change_new": ("新增", "New"),
    "upload_change_changed": ("修改", "Changed"),
    "upload_change_unchanged": ("不变", "Unchanged"),
    "upload_layout_long": ("长表（每行一个数）", "a long table (one figure per row)"),
    "upload_layout_wide": ("宽表（每列一个月）", "a wide table (one month per column)"),
    "upload_layout_template": ("系统填报模板", "the system's upload template"),
    "upload_layout_monthly_report": ("统计月报", "a monthly statistics report"),
    "upload_col_sheet": ("工作表", "Sheet"),
    "upload_col_row": ("行号", "Row"),
    "upload_col_column": ("列", "Column"),
    "upload_col_value": ("值", "Value"),
    "upload_col_message": ("说明", "Note"),
    "upload_col_change": ("变化", "Change"),
    "upload_col_indicator": ("指标", "Indicator"),
    "upload_col_entity": ("主体", "Entity"),
    "upload_col_period": ("期间", "Period"),
    "upload_col_unit": ("单位", "Unit"),
    "upload_col_old": ("原值", "Old figure"),
    "upload_col_new": ("新值", "New figure"),
    "upload_col_file_row": ("文件行号", "Row in the file"),
    "upload_done": ("已导入“{file}”（批次 {batch}）：新增 {new} 个、修改 {changed} 个、未变 {unchanged} 个数据。"
                    "各页面已显示新数据；如需撤销，请到“上传历史”。",
                    "Imported “{file}” (batch {batch}): {new} new, {changed} changed and {unchanged} unchanged figures. "
                    "Every page now shows the new figures; to undo the upload, go to Upload history."),
    "upload_errors": ("发现 {count} 个错误，整个文件未导入（没有写入任何数据）。请按下表逐条修改后重新上传。",
                      "Errors found: {count}. The file was not imported (nothing was written). "
                      "Correct each one as listed below, then upload the file again."),
    "upload_errors_download": ("下载错误标注表（xlsx）", "Download the file with its errors marked (xlsx)"),
    "upload_also_warnings": ("另有以下提醒：", "There are also these warnings:"),
    "upload_read_as": ("工作表“{sheet}”，识别为{layout}。", "Sheet “{sheet}”, read as {layout}."),
    "upload_nothing_new": ("文件中的数据与库中完全相同，无需导入。",
                           "The figures in the file are exactly those already held: there is nothing to import."),
    "upload_check_warnings": ("有 {count} 条提醒，请逐条核对后再确认导入。",
                              "Warnings: {count}. Check each one before confirming the import."),
    "upload_warnings_checked": ("我已核对以上提醒，确认导入", "I have checked the warnings above; import the file"),
    "upload_lock_reason": ("更正已锁定月份的原因（必填，记入操作日志）",
                           "Reason for correcting a locked month (required; recorded in the audit log)"),
    "upload_confirm": ("确认导入", "Confirm the import"),
    "upload_choose_file": ("选择文件（.xlsx、.xls、.csv）", "Choose a file (.xlsx, .xls, .csv)"),
    "upload_sheet": ("工作表名称（可不填：自动选取第一个有可识别表头的工作表）",
                     "Sheet name (optional: otherwise the first sheet with headings it recognises)"),
    "upload_template_month": ("填报月份", "Month to report"),
    "upload_template_hint": ("模板列出全部可上传的指标及单位，并附上月数值作参考；填好后在“上传文件”中上传。",
                             "The template lists every indicator that can be uploaded, with its unit and last "
                             "month's figure for reference; fill it in, then upload it under Upload a file."),
    "upload_template_download": ("下载填报模板（xlsx）", "Download the template (xlsx)"),
    "upload_no_uploads": ("还没有任何上传。", "No uploads yet."),
    "upload_illustrative": ("（示例数据）", " (illustrative)"),
    "upload_history_line": ("**批次 {batch}** {file}{label} · {user} · {when} · 新增 {new}、修改 {changed}、未变 {unchanged}",
                            "**Batch {batch}** {file}{label} · {user} · {when} · "
                            "{new} new, {changed} changed, {unchanged} unchanged"),
    "upload_undone": ("已撤销（{by}）", "Undone ({by})"),
    "upload_undo_confirm": ("确认撤销", "Confirm undo"),
    "upload_undo": ("撤销", "Undo"),
    "upload_undo_done": ("已撤销批次 {batch}（{file}），被它替换的旧值已恢复。",
                         "Undid batch {batch} ({file}); the figures it replaced are back."),
    "upload_undo_failed": ("未能撤销：{problem}", "Could not undo: {problem}"),
    # export (导出汇报); the title is page_export. Slide titles and the deck itself stay Chinese.
    "export_status_green": ("正常", "on pace"),
    "export_status_amber": ("略滞后", "slightly behind"),
    "export_status_red": ("滞后", "behind"),
    "export_status_none": ("无目标", "no target"),
    "export_indicators": ("指标（滞后于序时进度的排在前面）", "Indicators (those behind the time pace first)"),
    "export_indicator_option": ("{name}（{status}）", "{name} ({status})"),
    "export_template_sign_in": ("登录后可上传本单位的 PowerPoint 模板；未登录时使用系统自带模板。",
                                "Sign in to use your office's own PowerPoint template; otherwise the built-in one is used."),
    "export_template": ("办公室模板（可选，.pptx 或 .potx；不选则用默认模板）",
                        "Office template (optional, .pptx or .potx; without one the default template is used)"),
    "export_pictures": ("图表以图片插入（供不能显示原生图表的软件使用；默认是可在 PowerPoint/WPS 中编辑数据的原生图表）",
                        "Insert the charts as pictures (for software that cannot show native charts; by default "
                        "they are native charts whose data can be edited in PowerPoint/WPS)"),
    "export_slide_count": ("共 {count} 页", "Slides: {count}"),
    "export_col_slide": ("页", "Slide"),
    "export_col_title": ("标题", "Title"),
    "export_col_illustrative": ("示例数据", "Illustrative data"),
    "export_yes": ("是", "Yes"),
    "export_build": ("生成幻灯片", "Build the slides"),
    "export_building": ("正在生成……", "Building the slides…"),
    "export_download_deck": ("下载幻灯片（.pptx）", "Download the slides (.pptx)"),
    "export_download_data": ("下载图表数据（.xlsx）", "Download the chart data (.xlsx)"),
    # targets (目标管理); the title is page_targets
    "targets_kind_annual": ("年度累计目标", "Annual cumulative target"),
    "targets_kind_year_end": ("年末目标", "Year-end target"),
    "targets_kind_floor": ("每月不低于（底线）", "At least, every month (floor)"),
    "targets_kind_ceiling": ("每月不高于（上限）", "At most, every month (ceiling)"),
    "targets_indicator_option": ("{name}（{unit}）", "{name} ({unit})"),
    "targets_indicator": ("指标", "Indicator"),
    "targets_year": ("年度", "Year"),
    "targets_kind": ("目标类型", "Type of target"),
    "targets_value": ("目标值（按指标单位）", "Target (in the indicator's unit)"),
    "targets_source": ("目标来源（文件、会议纪要等）", "Source of the target (document, meeting minutes, …)"),
    "targets_save": ("保存目标", "Save the target"),
    "targets_saved": ("已保存：{name} {year} 年{kind} {value}{unit}。修改记录见下方。",
                      "Saved: {name}, {kind} for {year}: {value}{unit}. The change is recorded below."),
    "targets_current": ("当前目标", "Current targets"),
    "targets_history": ("修改记录", "Change history"),
    "targets_yes": ("是", "Yes"),
    "targets_col_indicator": ("指标", "Indicator"),
    "targets_col_entity": ("主体", "Entity"),
    "targets_col_year": ("年度", "Year"),
    "targets_col_kind": ("类型", "Type"),
    "targets_col_value": ("目标值", "Target"),
    "targets_col_value_max": ("上限值", "Upper value"),
    "targets_col_source": ("来源", "Source"),
    "targets_col_illustrative": ("示例目标", "Example target"),
    "targets_col_set_by": ("设定人", "Set by"),
    "targets_col_set_at": ("设定时间", "Set at"),
    # locked months (月份锁定); the title is page_locks
    "locks_intro": ("已报送上级的月份可以锁定：锁定后普通填报人员不能再上传该月数据；管理员填写原因后仍可上传更正。",
                    "A month already reported to higher levels can be locked: editors can then no longer upload "
                    "figures for it; an administrator can still upload a correction, giving a reason."),
    "locks_current": ("当前已锁定：{months}", "Locked now: {months}"),
    "locks_separator": ("、", ", "),
    "locks_none": ("无", "none"),
    "locks_month": ("月份（YYYY-MM）", "Month (YYYY-MM)"),
    "locks_reason": ("原因", "Reason"),
    "locks_lock": ("锁定该月", "Lock the month"),
    "locks_unlock": ("解除锁定", "Unlock the month"),
    "locks_locked": ("已锁定 {period}。", "Locked {period}."),
    "locks_unlocked": ("已解除锁定 {period}。", "Unlocked {period}."),
    # audit log (操作日志); the title is page_audit
    "audit_action_all": ("全部", "All"),
    "audit_action_upload": ("上传", "Upload"),
    "audit_action_undo": ("撤销", "Undo"),
    "audit_action_target": ("目标修改", "Target changed"),
    "audit_action_lock": ("锁定", "Lock"),
    "audit_action_unlock": ("解锁", "Unlock"),
    "audit_action_user_add": ("新建账户", "Account created"),
    "audit_action_user_change": ("修改账户", "Account changed"),
    "audit_action_sign_in": ("登录", "Sign-in"),
    "audit_action_sign_in_failed": ("登录失败", "Failed sign-in"),
    "audit_action": ("操作类型", "Action"),
    "audit_user": ("操作人（留空为全部）", "User (leave empty for everyone)"),
    "audit_col_id": ("序号", "No."),
    "audit_col_when": ("时间", "When"),
    "audit_col_origin": ("来源", "From"),
    "audit_col_user": ("操作人", "User"),
    "audit_col_action": ("操作", "Action"),
    "audit_col_subject": ("对象", "Subject"),
    "audit_col_before": ("修改前", "Before"),
    "audit_col_after": ("修改后", "After"),
    "audit_download": ("导出日志（CSV）", "Export the log (CSV)"),
    "audit_file_name": ("操作日志.csv", "audit_log.csv"),
    # sign-in (the sidebar's account box). Why a sign-in failed or an account is locked out, and why
    # a role may not do something, come from metrics.auth and stay Chinese.
    "signin_box": ("登录（上传和修改数据需要登录）", "Sign in (needed to upload or change figures)"),
    "signin_name": ("用户名", "User name"),
    "signin_password": ("密码", "Password"),
    "signin_submit": ("登录", "Sign in"),
    "signin_signed_in": ("已登录：{name}（{role}）", "Signed in as {name} — {role}"),
    "signin_sign_out": ("退出登录", "Sign out"),
    "signin_oidc": ("统一身份认证登录", "Sign in with single sign-on"),
    "signin_no_accounts": ("尚未创建任何账户。管理员请在服务器上运行：python -m metrics users add 用户名 --role admin",
                           "No accounts exist yet. An administrator should run this on the server: "
                           "python -m metrics users add NAME --role admin"),
    "signin_required": ("本系统设置为登录后才能查看。请登录。", "This system is set up to be viewed only after signing in. Please sign in."),
    # the roles' names as metrics.auth.ROLE_LABELS gives them in Chinese
    "signin_role_viewer": ("查看（区领导）", "Viewer (zone leaders)"),
    "signin_role_editor": ("填报（统计员）", "Editor (statisticians)"),
    "signin_role_admin": ("管理员", "Administrator"),
}

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The string for `key` in `lang`, with `values` filled into its {placeholders}."""
    zh, en = _STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


# The catalogue's English names are definitions ("Projects of 100 million yuan or more signed");
# a card has room for a label, and four cards must not all start "Projects of 100 million…".
_SHORT_NAMES_EN = {
    "invoice_sales": "Invoiced industrial sales", "county_sales_share": "Share of county sales",
    "tax_per_mu": "Tax per mu", "output_per_mu": "Output per mu", "provincial_rank": "Provincial ranking",
    "hightech_new": "New high-tech firms", "srdi_provincial_new": "New provincial SRDI firms",
    "srdi_municipal_new": "New municipal SRDI firms", "smart_workshop_new": "New smart workshops",
    "listed_enterprises_new": "New firms in statistics", "projects_signed_100m": "Big projects signed",
    "projects_introduced_100m": "Big projects attracted", "projects_started_100m": "Big projects started",
    "projects_completed_100m": "Big projects completed", "effective_investment": "Effective investment",
    "foreign_capital": "Foreign capital received", "land_cleared": "Inefficient land cleared",
    "land_approved": "New land approved", "debt_short_term": "Short-term loans",
    "debt_long_term": "Long-term loans", "bonds_outstanding": "Bonds outstanding",
    "debt_short_share": "Short-term debt share", "hazards_found": "Hazards found",
    "hazards_fixed": "Hazards fixed", "hazard_fix_rate": "Hazard fix rate",
}


def indicator_name(ind: Indicator, lang: str = DEFAULT_LANGUAGE, short: bool = False) -> str:
    if lang != "en":
        return ind.name
    return _SHORT_NAMES_EN.get(ind.code, ind.name_en) if short else ind.name_en


def category_name(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    if lang != "en":
        return name
    return next((c.name_en for c in categories() if c.name == name), name)


def period_name(period: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """'2023-04' → 2023年4月 or Apr 2023."""
    year, month = split_period(period)
    return f"{_MONTHS_EN[month - 1]} {year}" if lang == "en" else f"{year}年{month}月"
