from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "dangjian.education"
    label = "education"
    verbose_name = "党员教育"
