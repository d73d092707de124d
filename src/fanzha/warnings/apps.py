from django.apps import AppConfig


class WarningsConfig(AppConfig):
    name = "fanzha.warnings"
    label = "warnings"
    verbose_name = "预警与劝阻"

    def ready(self) -> None:
        from django.core import checks

        from fanzha.warnings.checks import warning_settings

        checks.register(warning_settings)
