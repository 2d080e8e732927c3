from accounts.roles import roles_of


def roles(request) -> dict:
    user_roles = roles_of(request.user)
    return {"user_roles": user_roles}
