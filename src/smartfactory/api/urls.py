from ninja import NinjaAPI

api = NinjaAPI(title="智能工厂梯度培育平台 API", version="1", urls_namespace="api")
