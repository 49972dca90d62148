"""Object permissions of accounts (autodiscovered by django-rules)."""

from accounts.permissions import is_hr_staff, person_in_hr_scope, person_is_superuser, register

register("accounts.view_person", is_hr_staff & person_in_hr_scope)
register("accounts.change_person", is_hr_staff & person_in_hr_scope)
# The full CCCD is shown only to HR staff whose scope covers the person (docs/rules.md, "Personal data").
register("accounts.view_person_cccd", is_hr_staff & person_in_hr_scope)
# A first password (or a replacement) through an activation code; never for a superuser's account.
register("accounts.issue_activation_code", is_hr_staff & person_in_hr_scope & ~person_is_superuser)
# The qualifications register (accounts/qualifications.py): HR records, corrects and removes what a person of their
# scope obtained elsewhere (and sees its scan through view_person); any HR officer sets the kinds and what each rank
# requires.
register("accounts.record_qualification", is_hr_staff & person_in_hr_scope)
register("accounts.configure_qualifications", is_hr_staff)
