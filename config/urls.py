from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.views import home
from health.views import healthz

# The admin site logs in through allauth, so two-factor authentication applies there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Candor administration"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("surveys.urls")),
    path("", include("feedback.urls")),
    path("", include("reports.urls")),
    path("django-admin/", admin.site.urls),
]
