from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fanzha.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from fanzha.core import security  # noqa: F401  (connects the login audit receivers)
