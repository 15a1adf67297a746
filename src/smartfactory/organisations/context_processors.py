from .rules import active_memberships


def roles(request):
    """The signed-in user's active roles, for navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": set(), "my_memberships": []}
    memberships = active_memberships(user)
    return {"my_roles": {m.role for m in memberships}, "my_memberships": memberships}
