from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.access import admin_site_permission
from accounts.views import home
from health.views import healthz

# The admin site logs in through allauth, so two-factor authentication applies there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.has_permission = admin_site_permission
admin.site.site_header = "Candor administration"
# A database outage answers 503 "try again" (keeping what an employee typed), not 500.
handler500 = "config.errors.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("surveys.urls")),
    path("", include("feedback.urls")),
    path("", include("reports.urls")),
    path("django-admin/", admin.site.urls),
]
