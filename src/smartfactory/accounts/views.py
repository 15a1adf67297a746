from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    # the console decides: government, ministry and expert desks there; enterprise users go on to the portal
    return redirect("console:home")


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
