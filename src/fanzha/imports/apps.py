from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "fanzha.imports"
    label = "imports"
    verbose_name = "导入"
