"""The area tree (行政区划): city → district/county → township/street → village/community → grid."""

from __future__ import annotations

from django.db import models


class AreaLevel(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区/县"
    TOWNSHIP = "township", "乡镇/街道"
    VILLAGE = "village", "村/社区"
    GRID = "grid", "网格"


LEVEL_ORDER = [AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE, AreaLevel.GRID]
# An area merged into another or abolished (撤并) is retired, never deleted: warnings, people, cases and
# past statistics keep pointing to it, while nothing new is placed in it.
RETIRED = "已撤销"


class AreaQuerySet(models.QuerySet["Area"]):
    def active(self) -> AreaQuerySet:
        """The areas in force: what a new record may be put in."""
        return self.filter(is_active=True)


class Area(models.Model):
    code = models.CharField("区划代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes, "/<city>/<district>/…/<self>/": a subtree is one prefix match.
    path = models.CharField(max_length=400, unique=True, editable=False)
    residents = models.PositiveIntegerField("常住人口", null=True, blank=True)
    households = models.PositiveIntegerField("户数", null=True, blank=True)
    is_active = models.BooleanField("有效", default=True)  # False: 已撤销 (merged or abolished)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = "行政区划"
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self) -> str:
        """The name, marked where the area is retired (so every picker and list shows it as such)."""
        return self.name if self.is_active else f"{self.name}（{RETIRED}）"

    @property
    def status_label(self) -> str:
        return "有效" if self.is_active else RETIRED

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)

    def ancestors(self) -> models.QuerySet[Area]:
        codes = [code for code in self.path.strip("/").split("/") if code]
        return Area.objects.filter(code__in=codes[:-1]).order_by("path")

    def descendants(self, include_self: bool = True) -> models.QuerySet[Area]:
        qs = Area.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)
