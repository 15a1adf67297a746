from django.contrib import admin
from django.urls import include, path

from smartfactory.accounts import views as account_views
from smartfactory.api.urls import api
from smartfactory.portal.views.verify import verify
from smartfactory.todo import views as todo_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("smartfactory.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("smartfactory.portal.urls")),
    path("portal/supervision/", include("smartfactory.supervision.urls_portal")),
    path("console/", include("smartfactory.console.urls")),
    path("console/supervision/", include("smartfactory.supervision.urls_console")),
    path("verify/<str:code>/", verify, name="verify"),
    path("notifications/", include("smartfactory.notifications.urls")),
    path("todo/", todo_views.todo_page, name="todo"),
    path("todo/count/", todo_views.todo_count, name="todo_count"),
    path("", include("smartfactory.cultivation.urls")),
    path("", include("smartfactory.evaluation.urls")),
    path("public/", include("smartfactory.publicsite.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "smartfactory.accounts.views.not_found"
handler500 = "smartfactory.accounts.views.server_error"
