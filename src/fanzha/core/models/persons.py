"""People known to the platform (人员): residents, key residents, later victims and warned persons.

Name, ID number, phone and address are encrypted at rest; the *_hash columns are keyed hashes that
let a search by exact ID number or phone still work without storing the value in clear (ID numbers
through :meth:`PersonQuerySet.with_id_number_hash`; the name hash is stored unindexed, as nothing looks
a person up by name alone).
"""

from __future__ import annotations

from django.db import models

from fanzha.core.access import ScopedQuerySet
from fanzha.core.pii.fields import EncryptedTextField


class KeyGroup(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", "独居老人"
    ELDERLY = "elderly", "老年人"
    STUDENT = "student", "在校学生"
    LEFT_BEHIND = "left_behind", "留守人员"
    FORMER_VICTIM = "former_victim", "曾受骗人员"
    FINANCE_STAFF = "finance_staff", "企业财务人员"
    CARD_SELLER = "card_seller", "涉两卡人员"


class Sex(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"
    UNKNOWN = "", "未知"


class PersonQuerySet(ScopedQuerySet["Person"]):
    def with_id_number_hash(self, *digests: str) -> PersonQuerySet:
        """The people whose ``id_number_hash`` is one of ``digests``.

        Through the partial unique index ``core_person_unique_id_number`` (the column has no other):
        the ``NOT (id_number_hash = '')`` term is what lets SQLite's and PostgreSQL's planners use it.
        """
        return self.filter(id_number_hash__in=digests).exclude(id_number_hash="")


class Person(models.Model):
    name = EncryptedTextField("姓名")
    name_hash = models.CharField(max_length=64, editable=False)
    id_number = EncryptedTextField("身份证号", blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone = EncryptedTextField("手机号", blank=True, default="")
    phone_hash = models.CharField(max_length=64, db_index=True, blank=True, editable=False)
    address = EncryptedTextField("现住址", blank=True, default="")
    area = models.ForeignKey("core.Area", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    sex = models.CharField("性别", max_length=2, choices=Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField("出生年份", null=True, blank=True)
    key_groups = models.JSONField("重点人群", default=list, blank=True)
    id_number_warnings = models.JSONField("证件提示", default=list, blank=True)
    notes = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "人员"
        ordering = ["area__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="core_person_unique_id_number",
            )
        ]

    def __str__(self) -> str:
        from fanzha.core.pii.masking import mask_name

        return mask_name(self.name)

    def key_group_labels(self) -> list[str]:
        labels = dict(KeyGroup.choices)
        return [labels.get(code, code) for code in self.key_groups]
