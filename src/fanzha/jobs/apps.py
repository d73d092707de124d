from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "fanzha.jobs"
    label = "jobs"
    verbose_name = "后台任务与通知"
