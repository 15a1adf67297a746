from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "smartfactory.evaluation"
    label = "evaluation"

    def ready(self) -> None:
        from smartfactory.recommendations.signals import batch_submitted

        from .opening import open_evaluations

        def _open(sender, *, batch, actor, **kwargs) -> None:
            open_evaluations(batch, actor=actor)

        batch_submitted.connect(_open, dispatch_uid="evaluation.open_evaluations", weak=False)
