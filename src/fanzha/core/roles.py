"""The roles and what each may do: reviewed data, documented in docs/roles.md (a test checks it).

``area_scope`` says whether the role reads records by the jurisdiction of the user's organisation;
banks and operators (``addressee``) read only what is addressed to their organisation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    description: str
    area_scope: bool
    permissions: frozenset[str]


# Each permission, with what it allows.
PERMISSIONS: dict[str, str] = {
    "person.view": "查看辖区内人员（脱敏）",
    "person.edit": "登记、修改辖区内人员",
    "person.reveal": "查看人员完整敏感信息（留痕）",
    "person.export": "导出辖区内人员（脱敏）",
    "person.import": "批量导入人员",
    "area.view": "查看行政区划",
    "area.manage": "维护行政区划、导入导出",
    "organisation.view": "查看单位",
    "organisation.manage": "维护单位",
    "user.manage": "维护用户与角色",
    "account.totp": "为自己的账户启用动态口令（双因素登录）",
    "audit.view": "查询、导出审计日志",
    "calendar.edit": "维护工作日历",
    "job.view_all": "查看所有后台任务",
    "job.view_jurisdiction": "查看辖区内各单位用户提交的后台任务",
    "screening.use": "使用风险筛查（页面与接口；筛查内容不保存）",
    "apikey.manage": "签发、吊销合作单位接口密钥",
    "warning.view": "查看辖区内预警（脱敏）",
    "warning.work": "签收、联系、记录劝阻结果、转交本单位承办的预警",
    "warning.dispatch": "预警人工定位、派单、改派、办结",
    "warning.create": "录入预警（表单、接口）",
    "warning.import": "批量导入预警",
    "warning.grade_rules": "查看预警定级规则与诈骗类型对照；平台最上级反诈中心的可以修改",
    "warning.export": "导出预警与反馈（脱敏）",
    "case.view": "查看辖区内案件（脱敏）",
    "case.edit": "登记、修改案件，受害人、支付、涉案信息、状态与战果",
    "case.measure": "向银行发起紧急止付、冻结、续冻与解除",
    "case.trace": "导入银行流水、资金溯源与导出",
    "case.recover": "资金返还决定与返还登记",
    "case.bank": "银行：处理本行收到的止付、冻结请求",
    "case.import": "批量导入案件",
    "numbers.analyse": "号码研判：上传运营商数据、查看高风险号码与潜在受害人、发送预警、确认涉诈名单建议",
}

_FIELD = {"person.view", "person.edit", "person.reveal", "person.export", "area.view", "organisation.view"}
_WARNING_FIELD = {"warning.view", "warning.work"}
_CASE_WORK = {"case.view", "case.edit", "case.measure", "case.trace", "case.recover"}
_CASE_CENTRE = _CASE_WORK | {"case.import"}
_WARNING_CENTRE = {
    "warning.view",
    "warning.dispatch",
    "warning.create",
    "warning.import",
    "warning.grade_rules",
    "warning.export",
}

ROLES: dict[str, Role] = {
    role.code: role
    for role in [
        Role(
            "centre_leader",
            "中心领导",
            "反诈中心负责人：看全局、分级派单、配置规则、审阅报告与排名。",
            True,
            frozenset(
                _FIELD
                | _WARNING_CENTRE
                | _CASE_CENTRE
                | {
                    "person.import",
                    "calendar.edit",
                    "job.view_jurisdiction",
                    "account.totp",
                    "screening.use",
                    "numbers.analyse",
                }
            ),
        ),
        Role(
            "centre_analyst",
            "中心研判员",
            "反诈中心研判人员：研判、分级、派单、运行筛查、编制报告。",
            True,
            frozenset(
                _FIELD
                | _WARNING_CENTRE
                | _CASE_CENTRE
                | {"person.import", "calendar.edit", "account.totp", "screening.use", "numbers.analyse"}
            ),
        ),
        Role(
            "unit_leader",
            "单位负责人",
            "派出所所长、教导员，乡镇（街道）分管领导：督办本单位和辖区的预警，辖区内改派、办结，查看统计与导出（脱敏）。",
            True,
            frozenset(
                {
                    "person.view",
                    "person.export",
                    "area.view",
                    "organisation.view",
                    "warning.view",
                    "warning.dispatch",
                    "warning.export",
                }
            ),
        ),
        Role(
            "police_officer",
            "派出所民警",
            "派出所反诈专班：处置紧急、高等级预警和案件、止付、本辖区线索。",
            True,
            frozenset(_FIELD | _WARNING_FIELD | _CASE_WORK | {"screening.use"}),
        ),
        Role(
            "grid_worker",
            "网格员",
            "村（社区）网格员：中低等级预警、上门劝阻、宣传、重点人群走访。",
            True,
            frozenset((_FIELD - {"person.export"}) | _WARNING_FIELD | {"screening.use"}),
        ),
        Role(
            "bank_staff",
            "银行工作人员",
            "银行网点或反诈专岗：处理本行收到的止付、冻结请求，开户审核与回访。",
            False,
            frozenset({"organisation.view", "screening.use", "case.bank"}),
        ),
        Role(
            "telecom_staff",
            "运营商工作人员",
            "运营商：号码与短信筛查数据、办卡审核。",
            False,
            frozenset({"organisation.view", "screening.use"}),
        ),
        Role(
            "auditor",
            "审计员",
            "纪检或数据保护审计：只看审计日志。",
            False,
            frozenset({"audit.view"}),
        ),
        Role(
            "sysadmin",
            "系统管理员",
            "维护区划、单位、用户与角色；不查看个人信息。",
            False,
            frozenset(
                {
                    "area.view",
                    "area.manage",
                    "organisation.view",
                    "organisation.manage",
                    "user.manage",
                    "calendar.edit",
                    "job.view_all",
                    "account.totp",
                    "apikey.manage",
                }
            ),
        ),
    ]
}

ROLE_CHOICES = [(role.code, role.name) for role in ROLES.values()]

# The leader-type roles: whoever holds one in a unit supervises its work, and is told when a warning of
# that unit, or of a unit below it, misses a deadline (超时督办): the centre's leader, and the head of a
# police station or township (单位负责人: 所长、教导员, 乡镇（街道）分管领导).
SUPERVISING_ROLES = frozenset({"centre_leader", "unit_leader"})


def roles_granting(permission: str) -> frozenset[str]:
    """The codes of the roles that grant ``permission``."""
    return frozenset(role.code for role in ROLES.values() if permission in role.permissions)


def permissions_of(role_codes: frozenset[str] | set[str]) -> frozenset[str]:
    granted: set[str] = set()
    for code in role_codes:
        role = ROLES.get(code)
        if role is not None:
            granted |= role.permissions
    return frozenset(granted)


def has_area_scope(role_codes: frozenset[str] | set[str]) -> bool:
    return any(ROLES[code].area_scope for code in role_codes if code in ROLES)
