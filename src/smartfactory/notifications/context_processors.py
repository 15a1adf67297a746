from .models import Notification


def unread(request):
    """How many notifications the signed-in user has not opened (for the navigation badge)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
