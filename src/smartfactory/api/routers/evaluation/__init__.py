"""The national evaluation over the API: the formal check, expert assignment and scores, the ranked
panel, on-site verification, 公示 with public objections, and the six ministries' decision.

Every endpoint calls the ``smartfactory.evaluation`` services (``opening``, ``assigning``, ``scoring``,
``site_visits``, ``notices``), ``smartfactory.decisions`` or ``workflow.transition`` (the same as the
console). Evaluations are fetched through ``evaluations_for_user`` and ``get_in_scope``: out of scope
is 404. Who sees what in an evaluation: MIIT staff everything; an expert only their own assignment
and scores; a recommender neither the experts' identities nor their scores. Publicities and
objections are for ministry staff only (404 for others), except the public objection form.

The endpoints are split by resource (``evaluations``, ``assignments``, ``site_visits``,
``publicities``); ``router`` includes them in that order under the API's root, so the paths are
those of the one router this used to be."""

from ninja import Router

from . import assignments, evaluations, publicities, site_visits

router = Router(tags=["evaluation"])
for part in (evaluations, assignments, site_visits, publicities):
    router.add_router("", part.router)
