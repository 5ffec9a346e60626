"""Japanese for the staff-facing names of libraries that ship no Japanese catalogue.

Never imported: `makemessages` reads these calls so that the project's catalogue (which Django
consults first) carries the translations.
"""

from django.utils.translation import gettext_lazy as _

AXES = (
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
)
