"""Who may do what with training (autodiscovered by django-rules; docs/courses.md, "Who does what").

The course manager runs the catalogue and every class. A class's head runs that class (its sign-in sheet, scores,
discipline, closing and completion list); its lecturers mark attendance and run self check-in. Both need the
lecturer role (a staff role: a second factor) besides the assignment.
"""
import rules

from accounts.permissions import has_role, is_hr_staff, register, unit_in_scope
from accounts.roles import Role

is_course_manager = has_role(Role.COURSE_MANAGER)
is_lecturer = has_role(Role.LECTURER)


def _assigned(user, course_class, roles) -> bool:
    if course_class is None or not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_class_roles_cache", None)
    if cache is None:
        cache = user._class_roles_cache = {}
    key = course_class.pk
    if key not in cache:
        cache[key] = frozenset(course_class.staff.filter(user=user).values_list("role", flat=True))
    return bool(cache[key] & roles)


@rules.predicate
def is_enrolled(user, course_class) -> bool:
    """A learner of the class (any role: a civil servant learns with the account they have)."""
    if course_class is None or not getattr(user, "is_authenticated", False):
        return False
    cache = getattr(user, "_enrolled_cache", None)
    if cache is None:
        cache = user._enrolled_cache = {}
    if course_class.pk not in cache:
        cache[course_class.pk] = course_class.enrolments.filter(person=user).exists()
    return cache[course_class.pk]


@rules.predicate
def heads_the_class(user, course_class) -> bool:
    return _assigned(user, course_class, {"head"})


@rules.predicate
def teaches_the_class(user, course_class) -> bool:
    return _assigned(user, course_class, {"head", "lecturer"})


register("courses.manage_catalogue", is_course_manager)
register("courses.teach", is_course_manager | is_lecturer)
register("courses.view_class", is_course_manager | (is_lecturer & teaches_the_class))
register("courses.run_class", is_course_manager | (is_lecturer & heads_the_class))
register("courses.mark_attendance", is_course_manager | (is_lecturer & teaches_the_class))
# Learning online: the learner reads, practises, sits the graded tests and hands in written work in their own class;
# the class's lecturers and head grade written work and follow progress; the head runs graded tests (extensions).
register("courses.learn", is_enrolled)
register("courses.follow_class", is_course_manager | (is_lecturer & teaches_the_class))
register("courses.grade_work", is_course_manager | (is_lecturer & teaches_the_class))


@rules.predicate
def reports_on_unit(user, unit) -> bool:
    """A unit of the user's HR scope (without a unit: the report's page, on their scope)."""
    scope = getattr(user, "hr_scope", None)
    return scope is not None and (unit is None or unit_in_scope(scope, unit))


# Certificates: the course manager issues them and downloads their decision and registers. HR reports, within its
# scope, on who holds which certificate and who is in training.
register("courses.issue_certificates", is_course_manager)
register("courses.view_qualification_report", is_hr_staff & reports_on_unit)
