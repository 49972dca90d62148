from exams.models.banks import Bank, Choice, Question, Topic
from exams.models.papers import Blueprint, BlueprintRow, Paper, PaperItem, PaperSet

__all__ = ["Bank", "Blueprint", "BlueprintRow", "Choice", "Paper", "PaperItem", "PaperSet", "Question", "Topic"]
