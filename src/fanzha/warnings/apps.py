from django.apps import AppConfig


class WarningsConfig(AppConfig):
    name = "fanzha.warnings"
    label = "warnings"
    verbose_name = "预警与劝阻"
