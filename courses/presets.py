"""Programme presets: the shapes of the state-management programmes, as defaults (docs/courses.md, "Presets").

The shapes (parts, how many teaching and report topics, the assessments) follow the programmes in force; the
module titles are ours, written as examples and marked as sample content for the institution to replace, and the
periods per module are defaults too. ``lanh-dao-cap-phong`` as a whole is a default to adjust.
"""
from __future__ import annotations

from dataclasses import dataclass, field

TEACHING, REPORT, FIELD_TRIP = "teaching", "report", "field_trip"
TEST, REFLECTION, ESSAY = "test", "reflection", "essay"


@dataclass(frozen=True)
class PartPreset:
    name: str
    topics: list[str]  # teaching topics, in order
    reports: list[str]  # report topics, in order
    topic_periods: int
    report_periods: int
    field_trip_periods: int = 0  # a field trip closing the part (0: none)


@dataclass(frozen=True)
class AssessmentPreset:
    code: str
    name: str
    kind: str
    after_part: int | None = None  # the part (1, 2…) a test closes


@dataclass(frozen=True)
class ProgrammePreset:
    slug: str
    code: str
    name: str
    target: str  # "rank" | "position"
    target_rank: str = ""  # rank code (accounts.Rank)
    target_position: str = ""
    legal_basis: str = ""
    default_to_adjust: bool = False
    parts: list[PartPreset] = field(default_factory=list)
    assessments: list[AssessmentPreset] = field(default_factory=list)


_GENERAL = [
    "Nhà nước trong hệ thống chính trị", "Tổ chức bộ máy hành chính nhà nước", "Công vụ, công chức",
    "Thủ tục hành chính nhà nước", "Quản lý nhà nước về kinh tế", "Quản lý nhà nước về văn hóa – xã hội",
    "Quản lý tài chính công", "Cải cách hành chính nhà nước", "Pháp luật trong quản lý nhà nước",
    "Đạo đức công vụ",
]
_SKILLS = [
    "Kỹ năng soạn thảo văn bản hành chính", "Kỹ năng giao tiếp trong hoạt động công vụ",
    "Kỹ năng làm việc nhóm", "Kỹ năng thu thập và xử lý thông tin", "Kỹ năng tổ chức cuộc họp",
    "Kỹ năng quản lý thời gian", "Kỹ năng giải quyết khiếu nại, tố cáo", "Kỹ năng ứng dụng công nghệ thông tin",
    "Kỹ năng thuyết trình", "Kỹ năng phối hợp trong thực thi công vụ",
]
_REPORTS = [
    "Tình hình kinh tế – xã hội của tỉnh", "Chuyển đổi số trong cơ quan nhà nước", "Công tác cán bộ ở địa phương",
    "Kinh nghiệm cải cách thủ tục hành chính", "Phòng, chống tham nhũng, tiêu cực",
    "Xây dựng chính quyền địa phương",
]
_LEADERSHIP = [
    "Lãnh đạo và quản lý trong khu vực công", "Kỹ năng lãnh đạo cấp phòng", "Kỹ năng ra quyết định",
    "Kỹ năng phân công và kiểm tra", "Kỹ năng quản lý sự thay đổi", "Kỹ năng đánh giá cán bộ, công chức",
    "Kỹ năng giải quyết xung đột", "Kỹ năng tạo động lực làm việc", "Kỹ năng xây dựng kế hoạch công tác",
    "Kỹ năng điều hành cuộc họp",
]

PRESETS: dict[str, ProgrammePreset] = {p.slug: p for p in [
    ProgrammePreset(
        slug="qlnn-chuyen-vien", code="QLNN-CV", name="Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên",
        target="rank", target_rank="01.003", legal_basis="Thông tư 01/2018/TT-BNV",
        parts=[PartPreset("Kiến thức chung", _GENERAL[:7], _REPORTS[:2], topic_periods=8, report_periods=4),
               PartPreset("Kỹ năng", _SKILLS[:9], _REPORTS[2:4], topic_periods=8, report_periods=4,
                          field_trip_periods=8)],
        assessments=[AssessmentPreset("KT1", "Kiểm tra phần Kiến thức chung", TEST, after_part=1),
                     AssessmentPreset("KT2", "Kiểm tra phần Kỹ năng", TEST, after_part=2),
                     AssessmentPreset("TH", "Bài thu hoạch", REFLECTION)]),
    ProgrammePreset(
        slug="qlnn-chuyen-vien-chinh", code="QLNN-CVC",
        name="Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên chính", target="rank", target_rank="01.002",
        legal_basis="Thông tư 01/2018/TT-BNV",
        # 20 teaching and 6 report topics, 240 periods: 20 × 10 + 6 × 4 + a field trip of 16.
        parts=[PartPreset("Kiến thức chung", _GENERAL, _REPORTS[:3], topic_periods=10, report_periods=4),
               PartPreset("Kỹ năng", _SKILLS, _REPORTS[3:], topic_periods=10, report_periods=4,
                          field_trip_periods=16)],
        assessments=[AssessmentPreset("KT1", "Kiểm tra phần Kiến thức chung", TEST, after_part=1),
                     AssessmentPreset("KT2", "Kiểm tra phần Kỹ năng", TEST, after_part=2),
                     AssessmentPreset("TL", "Tiểu luận cuối khóa", ESSAY)]),
    ProgrammePreset(
        slug="lanh-dao-cap-phong", code="LDCP", name="Bồi dưỡng lãnh đạo, quản lý cấp phòng", target="position",
        target_position="Lãnh đạo, quản lý cấp phòng", default_to_adjust=True,
        parts=[PartPreset("Kiến thức chung về lãnh đạo, quản lý", _LEADERSHIP[:5], _REPORTS[4:5], topic_periods=8,
                          report_periods=4),
               PartPreset("Kỹ năng lãnh đạo, quản lý", _LEADERSHIP[5:], _REPORTS[5:], topic_periods=8,
                          report_periods=4)],
        assessments=[AssessmentPreset("KT1", "Kiểm tra kiến thức", TEST, after_part=1),
                     AssessmentPreset("TH", "Bài thu hoạch", REFLECTION)]),
]}
