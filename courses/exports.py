"""The import templates a class's pages hand out (the sign-in sheet is in courses.attendance)."""
from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from accounts.exports import TEMPLATE_HEADER, help_sheet, template_sheet
from courses.learners import COL_DOB, LEARNER_COLUMNS
from courses.models import CourseClass
from courses.scores import columns_of

WIDE = {"Họ và tên", "Đơn vị", "Chức vụ", "Email"}


def _workbook():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False})
    font = {"font_name": "Times New Roman"}
    return buffer, workbook, (workbook.add_format({**TEMPLATE_HEADER, "text_wrap": True, **font}),
                              workbook.add_format({"num_format": "@", **font}),
                              workbook.add_format({"num_format": "dd/mm/yyyy", **font}))


def learner_template_xlsx() -> bytes:
    buffer, workbook, (header, as_text, as_date) = _workbook()
    template_sheet(workbook, name="Học viên", header=header, columns=[
        (name, 28 if name in WIDE else 14, as_date if name == COL_DOB else as_text) for name in LEARNER_COLUMNS])
    help_sheet(workbook, [
        _("One learner per row, from row 2. Required: full name, date of birth, CCCD (12 digits, as text)."),
        _("Dates: dd/mm/yyyy. Gender: Nam or Nữ. Unit: a unit code, a path or a unique unit name (kept as written "
          "when the register has no such unit)."),
        _("A person the register does not know is added to it, marked with this class; a learner already in the "
          "class is left as is."),
    ], width=110)
    workbook.close()
    return buffer.getvalue()


def scores_template_xlsx(course_class: CourseClass) -> bytes:
    """The class's learners and one column per assessment code; a retake goes in a column «<code> lần 2»."""
    buffer, workbook, (header, as_text, _as_date) = _workbook()
    columns = columns_of(course_class)
    sheet = template_sheet(workbook, name="Điểm", header=header, columns=[
        (name, 28 if name in WIDE else 14 if n < 2 else 10, as_text) for n, name in enumerate(columns)])
    for row, enrolment in enumerate(course_class.enrolments.select_related("person").order_by("list_order", "pk"),
                                    start=1):
        sheet.write_string(row, 0, enrolment.person.cccd or "", as_text)
        sheet.write_string(row, 1, enrolment.person.full_name, as_text)
    help_sheet(workbook, [
        _("Scores from 0 to 10, at most two decimals (7,5 or 7.5). P: the learner was excused from this try."),
        _("An empty cell leaves that score as it is."),
        _("A retake: add a column headed with the code and «lần 2» (e.g. «KT1 lần 2»); it is accepted when the "
          "first try was under the pass mark or excused."),
    ], width=110)
    workbook.close()
    return buffer.getvalue()
