"""Words of Django's admin that its own Chinese catalogue leaves in English, translated in ours.

Django's zh_Hans catalogue lacks some of the admin's newer texts (the hidden column headings of the
model list, read out by screen readers).  Listing them here with gettext_noop puts them in this
project's catalogue (makemessages finds them), which Django reads before its own.
"""

from django.utils.translation import gettext_noop

ADMIN_WORDS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. "
        "If disabled, they may still be able to authenticate using other backends, "
        "such as Single Sign-On or LDAP."
    ),
)
