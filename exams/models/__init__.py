from exams.models.attempts import Admission, AnswerEvent, Attempt, AttemptItem, Penalty, RoomEvent, RoomSession
from exams.models.banks import Bank, Choice, Question, Topic
from exams.models.papers import Blueprint, BlueprintRow, Paper, PaperItem, PaperSet
from exams.models.results import CandidateResult, Quota, ResultVersion, ScoreEntry, SubjectResult, TieDecision
from exams.models.sessions import CouncilMember, Exam, InvigilatorAssignment, Registration, Room, Sitting, Subject

__all__ = ["Admission", "AnswerEvent", "Attempt", "AttemptItem", "Bank", "Blueprint", "BlueprintRow", "Choice",
           "CouncilMember", "Exam", "InvigilatorAssignment", "Paper", "PaperItem", "PaperSet", "Penalty", "Question", "Quota",
           "Registration", "ResultVersion", "Room", "RoomEvent", "RoomSession", "ScoreEntry", "Sitting", "Subject",
           "SubjectResult", "TieDecision", "Topic", "CandidateResult"]
