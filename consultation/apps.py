from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "consultation"
    verbose_name = "Consultations"

    def ready(self):
        from consultation import signals  # noqa: F401  (connects the receivers)
