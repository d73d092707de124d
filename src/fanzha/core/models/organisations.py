"""Organisations (单位): every user belongs to one; each sits in an area and covers a jurisdiction."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models


def unit_key(name: str) -> str:
    """A unit's name as names are compared: full-width and half-width alike, spaces left out — a list
    retyped in another editor writes 中国工商银行(青溪支行) for 中国工商银行（青溪支行）, 城关 派出所 for
    城关派出所."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


ALIKE_UNIT = "已有单位“{name}”，与此名称只差全角/半角、大小写或空格；请使用该单位，或把名称写得能区分开"


class OrganisationKind(models.TextChoices):
    CENTRE = "centre", "反诈中心"
    POLICE_STATION = "police_station", "派出所"
    TOWNSHIP_GOVERNMENT = "township_government", "乡镇政府/街道办"
    VILLAGE_COMMITTEE = "village_committee", "村(居)委会"
    BANK = "bank", "银行网点"
    TELECOM = "telecom", "电信运营商营业厅"
    SCHOOL = "school", "学校"
    HOSPITAL = "hospital", "医院"
    OTHER = "other", "其他单位"


# Banks and operators see only what is addressed to them, never records by area.
ADDRESSEE_KINDS = frozenset({OrganisationKind.BANK, OrganisationKind.TELECOM})


class Organisation(models.Model):
    name = models.CharField("名称", max_length=120, unique=True)
    kind = models.CharField("类型", max_length=32, choices=OrganisationKind.choices)
    area = models.ForeignKey("core.Area", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    covered_areas = models.ManyToManyField(
        "core.Area",
        verbose_name="管辖区划",
        blank=True,
        related_name="covering_organisations",
        help_text="留空则管辖所在区划及其下级",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField("机构代码", max_length=32, blank=True)
    contact_phone = models.CharField("值班电话", max_length=32, blank=True)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "单位"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Refuse a name another unit's differs from only by full-width/half-width, case or spaces:
        two units that read the same split the work, the users and the statistics of one."""
        super().clean()
        key = unit_key(self.name)
        others = Organisation.objects.exclude(pk=self.pk) if self.pk else Organisation.objects.all()
        for other in others.only("name"):
            if other.name != self.name and unit_key(other.name) == key:
                raise ValidationError({"name": ALIKE_UNIT.format(name=other.name)})

    @property
    def is_addressee_only(self) -> bool:
        return self.kind in ADDRESSEE_KINDS

    def jurisdiction_paths(self) -> list[str]:
        """Path prefixes of the areas this organisation covers (none for banks and operators)."""
        if self.is_addressee_only:
            return []
        covered = [a.path for a in self.covered_areas.all()]
        return covered or [self.area.path]
