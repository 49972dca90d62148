"""The course manager's card on the dashboard, and the names of the catalogue's audited actions."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {"programme.create": _("Training programme created"), "programme.edit": _("Training programme edited"),
                 "institution.add": _("Training institution added"),
                 "institution.edit": _("Training institution edited"), "class.create": _("Training class created"),
                 "class.staff": _("Class head or lecturer assigned"),
                 "class.schedule_import": _("Class schedule imported")}


def manager_items(user):
    from courses.models import Programme

    count = Programme.objects.count()
    return [(_("Training programmes (%(n)s)") % {"n": count}, reverse("programme_list")),
            (_("Training classes"), reverse("class_list")), (_("Training institutions"), reverse("institution_list"))]
