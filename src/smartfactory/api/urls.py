from ninja import NinjaAPI

from . import errors
from .auth import AUTH
from .routers import (
    advanced_lists,
    applications,
    auth,
    campaign_setup,  # noqa: F401  (adds the set-up endpoints to the campaigns router)
    campaigns,
    cultivation,
    enterprises,
    evaluation,
    factories,
    frameworks,
    me,
    notifications,
    paper,
    public,
    recommendations,
    regions,
    supervision,
    todo,
)


class API(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """The evaluation endpoints are split over the modules of one package (by resource); their ids
        stay those of the one module they were first published under."""
        if operation.view_func.__module__.startswith(EVALUATION_PACKAGE + "."):
            return f"{EVALUATION_PACKAGE}_{operation.view_func.__name__}".replace(".", "_")
        return super().get_openapi_operation_id(operation)


EVALUATION_PACKAGE = "smartfactory.api.routers.evaluation"
api = API(
    title="智能工厂梯度培育平台 API",
    version="1",
    description="所有接口与页面调用同一服务层，按管辖范围返回数据；范围外的对象一律返回 404。",
    auth=AUTH,
    urls_namespace="api",
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/me", me.router)
api.add_router("/notifications", notifications.router)
api.add_router("/enterprises", enterprises.router)
api.add_router("/factories", factories.router)
api.add_router("/regions", regions.router)
api.add_router("/campaigns", campaigns.router)
api.add_router("/frameworks", frameworks.router)
api.add_router("/applications", applications.router)
api.add_router("/recommendations", recommendations.router)
api.add_router("/paper", paper.router)
api.add_router("/advanced-lists", advanced_lists.router)
api.add_router("/public", public.router)
api.add_router("/cultivations", cultivation.router)
api.add_router("/supervision", supervision.router)
api.add_router("/todo", todo.router)
api.add_router("", evaluation.router)
