"""Every model of the app ``exams``, wherever its slice keeps it (Django looks for them here).

Code outside ``exams`` may import models from here; a slice imports them from its own ``models`` or from a slice
below it (``make lint`` holds this: importing this module would import every slice).
"""
from exams.banks.models import Bank, Choice, ItemReview, Question, Topic
from exams.examday.models import Admission, AnswerEvent, Attempt, AttemptItem, Penalty, RoomEvent, RoomSession
from exams.marking.models import Appeal, Marking, Script, ScriptScan
from exams.papers.models import Blueprint, BlueprintRow, Paper, PaperItem, PaperSet
from exams.results.models import CandidateResult, ResultVersion, ScoreEntry, SubjectResult, TieDecision
from exams.sessions.models import (
    CouncilMember,
    Exam,
    InvigilatorAssignment,
    Quota,
    Registration,
    Room,
    Sitting,
    Subject,
)

__all__ = ["Admission", "AnswerEvent", "Appeal", "Attempt", "AttemptItem", "Bank", "Blueprint", "BlueprintRow",
           "CandidateResult", "Choice", "CouncilMember", "Exam", "InvigilatorAssignment", "ItemReview", "Marking",
           "Paper", "PaperItem", "PaperSet", "Penalty", "Question", "Quota", "Registration", "ResultVersion", "Room",
           "RoomEvent", "RoomSession", "ScoreEntry", "Script", "ScriptScan", "Sitting", "Subject", "SubjectResult",
           "TieDecision", "Topic"]
