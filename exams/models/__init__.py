from exams.models.attempts import Admission, AnswerEvent, Attempt, AttemptItem, Penalty, RoomEvent, RoomSession
from exams.models.banks import Bank, Choice, Question, Topic
from exams.models.papers import Blueprint, BlueprintRow, Paper, PaperItem, PaperSet
from exams.models.sessions import CouncilMember, Exam, InvigilatorAssignment, Registration, Room, Sitting, Subject

__all__ = ["Admission", "AnswerEvent", "Attempt", "AttemptItem", "Bank", "Blueprint", "BlueprintRow", "Choice",
           "CouncilMember", "Exam", "InvigilatorAssignment", "Paper", "PaperItem", "PaperSet", "Penalty", "Question",
           "Registration", "Room", "RoomEvent", "RoomSession", "Sitting", "Subject", "Topic"]
