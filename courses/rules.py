"""Who may do what with the training catalogue (autodiscovered by django-rules): the course manager runs it."""
from accounts.permissions import has_role, register
from accounts.roles import Role

is_course_manager = has_role(Role.COURSE_MANAGER)

register("courses.manage_catalogue", is_course_manager)
