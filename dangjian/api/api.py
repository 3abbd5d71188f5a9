from ninja import NinjaAPI

api = NinjaAPI(title="党建工作管理系统 API", version="1", urls_namespace="api")
