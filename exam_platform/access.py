"""Who reaches which page or socket, decided once for HTTP and websockets (exam_platform/middleware.py).

Two rules, in this order: an exam-room session reaches only its registration's candidate pages
(exams/candidate/room_scope.py), and is a candidate session, never asked for a second factor; a full session of a staff
member needs the second factor passed in this session (accounts/two_factor.py). The views' own permission checks
come after, unchanged.
"""

from __future__ import annotations

import enum

from accounts.two_factor import Step, staff_second_factor_step
from exams.candidate.room_scope import Reach, exam_room_reach, is_exam_room_session


class Verdict(enum.Enum):
    ALLOW = "allow"
    OUTSIDE_EXAM_ROOM = "outside_exam_room"  # HTTP: the candidate's exam page (403 for a non-GET); socket: 4403
    EXAM_ROOM_ENDED = "exam_room_ended"  # the session ends
    SET_UP_SECOND_FACTOR = "set_up_second_factor"
    VERIFY_SECOND_FACTOR = "verify_second_factor"


_FROM_REACH = {Reach.ALLOWED: Verdict.ALLOW, Reach.REFUSED: Verdict.OUTSIDE_EXAM_ROOM,
               Reach.ENDED: Verdict.EXAM_ROOM_ENDED}
_FROM_STEP = {Step.NONE: Verdict.ALLOW, Step.SET_UP: Verdict.SET_UP_SECOND_FACTOR,
              Step.VERIFY: Verdict.VERIFY_SECOND_FACTOR}


def access_verdict(*, user, session, route: str | None, kwargs: dict) -> Verdict:
    """``route``: the resolved HTTP url name or websocket route name; ``kwargs``: its keyword arguments."""
    if is_exam_room_session(session):
        return _FROM_REACH[exam_room_reach(session=session, route=route, kwargs=kwargs)]
    return _FROM_STEP[staff_second_factor_step(user=user, session=session, route=route)]
