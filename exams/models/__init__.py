from exams.models.attempts import Admission, AnswerEvent, Attempt, AttemptItem, Penalty, RoomEvent, RoomSession
from exams.models.banks import Bank, Choice, Question, Topic
from exams.models.marking import Appeal, ItemReview, Marking, Script, ScriptScan
from exams.models.papers import Blueprint, BlueprintRow, Paper, PaperItem, PaperSet
from exams.models.results import CandidateResult, Quota, ResultVersion, ScoreEntry, SubjectResult, TieDecision
from exams.models.sessions import CouncilMember, Exam, InvigilatorAssignment, Registration, Room, Sitting, Subject

__all__ = ["Admission", "AnswerEvent", "Appeal", "Attempt", "AttemptItem", "Bank", "Blueprint", "BlueprintRow",
           "CandidateResult", "Choice", "CouncilMember", "Exam", "InvigilatorAssignment", "ItemReview", "Marking",
           "Paper", "PaperItem", "PaperSet", "Penalty", "Question", "Quota", "Registration", "ResultVersion", "Room",
           "RoomEvent", "RoomSession", "ScoreEntry", "Script", "ScriptScan", "Sitting", "Subject", "SubjectResult",
           "TieDecision", "Topic"]
