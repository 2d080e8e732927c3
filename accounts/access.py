"""One access helper per kind of page. Views are wrapped in exactly one of these."""

from functools import wraps

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts import roles


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _role_required(role: roles.Role):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(role.permission):
                raise PermissionDenied
            if role.needs_mfa and not has_totp(request.user):
                messages.info(request, "Your role needs two-factor authentication. Set it up to continue.")
                return redirect("mfa_activate_totp")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def admin_site_permission(request) -> bool:
    """The Django admin can hand out any role, so it asks for the second factor that HR and survey admins need."""
    user = request.user
    return user.is_active and user.is_staff and has_totp(user)


employee_required = _role_required(roles.EMPLOYEE)
hr_required = _role_required(roles.HR_ANALYST)
admin_required = _role_required(roles.SURVEY_ADMIN)
