"""The lesson pages' socket (``/ws/learn/<class>/``): a learner's heartbeats, acknowledged once stored. Thin: the
rules are in courses/progress.py."""
from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from accounts.sockets import DirectDispatch, TolerantJson, UserSocket
from courses.models import Enrolment, Lesson
from courses.progress import COMPLETIONS, Beat, batcher, elapsed_since, position_of


class LessonConsumer(DirectDispatch, TolerantJson, UserSocket, AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=4401)
            return
        found = await self._enrolment(user.pk, int(self.scope["url_route"]["kwargs"]["class_id"]))
        if found is None:
            await self.close(code=4403)
            return
        self.enrolment_id, self.lessons = found
        self.last_beat = {}
        await self.join_user_group()  # closed when this session signs out (accounts/sockets.py)
        await self.accept()

    @database_sync_to_async
    def _enrolment(self, user_id: int, class_id: int):
        enrolment = Enrolment.objects.filter(person_id=user_id, course_class_id=class_id).select_related(
            "course_class").first()
        if enrolment is None:
            return None
        lessons = frozenset(Lesson.objects.filter(
            module__part__programme_id=enrolment.course_class.programme_id).values_list("pk", flat=True))
        return enrolment.pk, lessons

    async def disconnect(self, code):
        if hasattr(self, "enrolment_id"):
            await self.leave_user_group()

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "beat":
            return
        lesson = content.get("lesson")
        seq = content.get("seq")
        if not isinstance(lesson, int) or lesson not in self.lessons:
            await self.send_json({"type": "refused", "seq": seq})
            return
        now = timezone.now()
        seconds = elapsed_since(self.last_beat.get(lesson), now)
        self.last_beat[lesson] = now
        completed = content.get("end") if content.get("end") in COMPLETIONS else ""
        stored = await batcher().beat(Beat(enrolment_id=self.enrolment_id, lesson_id=lesson, seconds=seconds,
                                           position=position_of(content.get("position")), at=now,
                                           completed=completed))
        await self.send_json({"type": "ok" if stored else "retry", "seq": seq})
