from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fanzha.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from django.core import checks

        from fanzha.core import security  # noqa: F401  (connects the login audit receivers)
        from fanzha.core.checks import pii_key_reads_the_data

        checks.register(pii_key_reads_the_data, checks.Tags.database)
