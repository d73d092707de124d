from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "fanzha.cases"
    label = "cases"
    verbose_name = "案件与止付冻结"

    def ready(self) -> None:
        from fanzha.cases import tasks  # noqa: F401  (registers the clock check with the worker)
