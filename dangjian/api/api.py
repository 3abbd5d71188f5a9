"""The REST API under /api/ (django-ninja). Same services and the same scoping as the pages; see
docs/api.md. The OpenAPI document is /api/openapi.json. The interactive /api/docs page is served from
django-ninja's own static files ("ninja" is in INSTALLED_APPS), so it works without internet."""
from ninja import NinjaAPI, Router
from ninja.renderers import JSONRenderer

from . import errors
from .auth import SessionCsrfAuth, TokenAuth
from .findings import router as findings_router
from .meetings import router as meetings_router
from .members import router as members_router
from .organizations import router as organizations_router
from .recruitment import router as recruitment_router
from .reports import router as reports_router


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese as is: readable with curl


api = NinjaAPI(
    title="党建工作管理系统 API",
    version="1",
    description="认证：浏览器会话（修改类请求须带 CSRF 令牌）或 `Authorization: Bearer <令牌>`"
                "（令牌由 `dangjian token 用户名` 签发）。数据范围与页面相同：只能看到本人角色所辖的组织和党员。"
                "错误均为 JSON {code, message, field}。",
    urls_namespace="api",
    auth=[TokenAuth(), SessionCsrfAuth()],
    docs_url="/docs",
    renderer=Renderer(),
)
errors.install(api)
api.add_router("/organizations", organizations_router)
api.add_router("/members", members_router)
api.add_router("", meetings_router)  # /orgs/{code}/meetings, /meetings/{id}, party homes
api.add_router("/findings", findings_router)
api.add_router("/recruitment", recruitment_router)  # 发展党员
api.add_router("", reports_router)  # /stats, /reports/{code}/{year}, /appraisal/{code}/{year} (read only)

# Last: any other path under /api/ is a JSON 404, not Django's HTML page.
fallback = Router()


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None,
                        include_in_schema=False)
def unknown_path(request, rest: str):
    raise errors.NotFound(f"接口不存在：/api/{rest}")


api.add_router("", fallback)
