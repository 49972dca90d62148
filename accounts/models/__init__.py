"""The models of accounts (Django looks here): people, units, ranks and what goes with them, and the qualifications
people hold, each in a module of its own."""

from accounts.models.people import (
    MINORITY_EXCLUDED_CODE,
    ActivationCode,
    AuditLog,
    Ethnicity,
    Notice,
    OrganisationProfile,
    OrgUnit,
    PeopleManager,
    Rank,
    User,
    mask_cccd,
)
from accounts.models.qualifications import Qualification, QualificationKind, RankRequirement

__all__ = [
    "MINORITY_EXCLUDED_CODE", "ActivationCode", "AuditLog", "Ethnicity", "Notice", "OrgUnit", "OrganisationProfile",
    "PeopleManager", "Qualification", "QualificationKind", "Rank", "RankRequirement", "User", "mask_cccd",
]
