from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.roles import roles_of


@require_GET
def home(request):
    """Send each person to the home page of their most privileged role."""
    if not request.user.is_authenticated:
        return render(request, "accounts/welcome.html")
    user_roles = roles_of(request.user)
    if not user_roles:
        return render(request, "accounts/no_role.html", status=403)
    return redirect(user_roles[0].home_url_name)
