"""The models of courses (Django looks here): the catalogue and classes, lessons and progress, tests on the exam
engine, written work, and feedback, each in a module of its own."""

from courses.models.certificates import Certificate, Counter
from courses.models.classes import (
    Assessment,
    Attendance,
    CheckInWindow,
    ClassStaff,
    CourseClass,
    Discipline,
    Enrolment,
    How,
    Institution,
    Module,
    Part,
    Programme,
    Score,
    Session,
)
from courses.models.feedback import FeedbackGiven, FeedbackRating
from courses.models.learning import Lesson, LessonFile, LessonProgress
from courses.models.online import CourseTest, TestTry
from courses.models.written import Assignment, Criterion, Grade, Submission

__all__ = [
    "Assessment", "Assignment", "Attendance", "Certificate", "CheckInWindow", "ClassStaff", "Counter", "CourseClass",
    "CourseTest", "Criterion", "Discipline", "Enrolment", "FeedbackGiven", "FeedbackRating", "Grade", "How",
    "Institution", "Lesson", "LessonFile", "LessonProgress", "Module", "Part", "Programme", "Score", "Session",
    "Submission", "TestTry",
]
