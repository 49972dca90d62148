"""Who may do what with banks, blueprints and papers (autodiscovered by django-rules)."""

import rules

from accounts.permissions import has_role, register
from accounts.roles import Role

is_question_author = has_role(Role.QUESTION_AUTHOR)
is_council_member = has_role(Role.COUNCIL_MEMBER)


@rules.predicate
def is_bank_author(user, bank) -> bool:
    if bank is None or not user.is_authenticated:
        return False
    return bank.authors.filter(pk=user.pk).exists()


# Pages listing banks: question authors (their banks) and council members (all, read-only).
register("exams.use_banks", is_question_author | is_council_member)
register("exams.add_bank", is_question_author)
register("exams.view_bank", (is_question_author & is_bank_author) | is_council_member)
register("exams.change_bank", is_question_author & is_bank_author)
