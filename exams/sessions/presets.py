"""The catalogue of exam presets (docs/rules.md, "Exam presets"). A preset only fills a new exam; the exam is then
edited freely."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

COMPUTER, WRITTEN, ORAL = "computer", "written", "oral"
GATE_HALF, SCORE_HALF, PROJECT_PAIR = "gate_half", "score_half", "project_pair"
DEFAULT_TIE_BREAK = ["female", "minority", "older", "longer_service"]


def late_entry_minutes(duration: int) -> int:
    """TT 001/2025: 5 minutes for exams of 30 minutes or less, 10 for 60 minutes or more; 5 in between
    (unconfirmed, so it is only this default)."""
    return 10 if duration >= 60 else 5


@dataclass(frozen=True)
class SubjectPreset:
    code: str
    name: str
    format: str
    duration_minutes: int
    pass_rule: str
    question_count: int | None = None
    is_gate: bool = False
    exemptible: bool = False
    ranks: bool = False
    scale: Decimal = Decimal("100")


@dataclass(frozen=True)
class Preset:
    slug: str
    name: str
    prefix: str
    subjects: list[SubjectPreset]
    target_rank: str | None = None
    has_quota: bool = True
    tie_break: list[str] = field(default_factory=lambda: list(DEFAULT_TIE_BREAK))


def _promotion(slug: str, name: str, prefix: str, target_rank: str, written_minutes: int) -> Preset:
    return Preset(slug=slug, name=name, prefix=prefix, target_rank=target_rank, subjects=[
        SubjectPreset("KTC", "Kiến thức chung", COMPUTER, 60, GATE_HALF, question_count=60, is_gate=True),
        SubjectPreset("NN", "Ngoại ngữ", COMPUTER, 30, GATE_HALF, question_count=30, is_gate=True, exemptible=True),
        SubjectPreset("TH", "Tin học", COMPUTER, 30, GATE_HALF, question_count=30, is_gate=True, exemptible=True),
        SubjectPreset("CMNV", "Chuyên môn, nghiệp vụ", WRITTEN, written_minutes, SCORE_HALF, ranks=True),
    ])


PRESETS: dict[str, Preset] = {p.slug: p for p in [
    _promotion("nang-ngach-chuyen-vien-2020", "Thi nâng ngạch chuyên viên", "CV", "01.003", 120),
    _promotion("nang-ngach-chuyen-vien-chinh-2020", "Thi nâng ngạch chuyên viên chính", "CVC", "01.002", 180),
    Preset(slug="nang-ngach-chuyen-vien-cao-cap-2020", name="Thi nâng ngạch chuyên viên cao cấp", prefix="CVCC",
           target_rank="01.001", subjects=[
               SubjectPreset("DA", "Đề án", WRITTEN, 480, PROJECT_PAIR, ranks=True),
               SubjectPreset("BVDA", "Bảo vệ đề án", ORAL, 30, PROJECT_PAIR, ranks=True),
           ]),
    Preset(slug="kiem-dinh-dau-vao-2023-dai-hoc", name="Kiểm định chất lượng đầu vào công chức (đại học)",
           prefix="KDDH", has_quota=False, subjects=[
               SubjectPreset("KD", "Kiểm định chất lượng đầu vào", COMPUTER, 120, GATE_HALF, question_count=100,
                             is_gate=True),
           ]),
    Preset(slug="kiem-dinh-dau-vao-2023-cao-dang", name="Kiểm định chất lượng đầu vào công chức (cao đẳng)",
           prefix="KDCD", has_quota=False, subjects=[
               SubjectPreset("KD", "Kiểm định chất lượng đầu vào", COMPUTER, 100, GATE_HALF, question_count=80,
                             is_gate=True),
           ]),
    Preset(slug="sat-hach-noi-bo", name="Sát hạch nội bộ", prefix="SH", has_quota=False, subjects=[
        SubjectPreset("SH", "Sát hạch", COMPUTER, 30, GATE_HALF, question_count=30, is_gate=True),
    ]),
]}
