from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "fanzha.jobs"
    label = "jobs"
    verbose_name = "后台任务与通知"

    def ready(self) -> None:
        from django.core import checks
        from django.utils.module_loading import autodiscover_modules

        from fanzha.jobs.checks import gateway_setting

        checks.register(gateway_setting)

        from fanzha.jobs import tasks  # noqa: F401 - registers the built-in tasks

        autodiscover_modules("tasks")
