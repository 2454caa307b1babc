from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    site_header = _("HT Portal administration")
    site_title = _("HT Portal administration")

    def login(self, request, extra_context=None):
        """Never a second sign-in page: the admin uses the portal's, with its notice, lockout and MFA. A person
        who is signed in but not staff is refused here, rather than sent round to sign in again."""
        if request.user.is_authenticated:
            raise PermissionDenied(_("The administration is for the portal's administrators."))
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
