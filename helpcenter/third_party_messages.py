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
REVERSION = (
    _("Recover deleted %(name)s"),
    _("Press the save button below to recover this version of the object."),
    _("Choose a date from the list below to revert to a previous version of this object."),
    _("This object doesn't have a change history. It probably wasn't added via this admin site."),
    _("Choose a date from the list below to recover a deleted version of an object."),
    _("There are no deleted objects to recover."),
    _("Revert %(verbose_name)s"),
    _("Press the save button below to revert to this version of the object."),
    _("Initial version."),
    _("Reverted to previous version, saved on %(datetime)s"),
    _("Recover %(name)s"),
    _("Revert %(name)s"),
)
