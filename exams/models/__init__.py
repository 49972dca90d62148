from exams.models.banks import Bank, Choice, Question, Topic
from exams.models.papers import Blueprint, BlueprintRow, Paper, PaperItem, PaperSet
from exams.models.sessions import CouncilMember, Exam, InvigilatorAssignment, Registration, Room, Sitting, Subject

__all__ = ["Bank", "Blueprint", "BlueprintRow", "Choice", "CouncilMember", "Exam", "InvigilatorAssignment", "Paper",
           "PaperItem", "PaperSet", "Question", "Registration", "Room", "Sitting", "Subject", "Topic"]
