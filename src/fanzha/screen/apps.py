from django.apps import AppConfig


class ScreenConfig(AppConfig):
    name = "fanzha.screen"
    label = "screen"
    verbose_name = "风险筛查"
