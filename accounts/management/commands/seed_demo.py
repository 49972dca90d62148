from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import seed_demo

REFUSAL = "Lệnh seed_demo không chạy trong môi trường production."


class Command(BaseCommand):
    help = "Create the Đồng Tháp demo data (units, people, demo accounts). Idempotent; refused in production."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database already has people.")

    def handle(self, *args, if_empty: bool = False, **options):
        if settings.IS_PRODUCTION:
            self.stderr.write(REFUSAL)
            raise SystemExit(1)
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("Cơ sở dữ liệu đã có dữ liệu: bỏ qua dữ liệu mẫu.")
            self.stdout.write("ok")
            return
        with transaction.atomic():
            result = seed_demo()
        self.stdout.write(f"Hồ sơ tổ chức: {'đã cập nhật' if result['profile_updated'] else 'không đổi'}")
        self.stdout.write(f"Đơn vị tạo mới: {result['units_created']}")
        self.stdout.write(f"Người tạo mới: {result['people_created']}")
        self.stdout.write(
            f"Tài khoản demo tạo mới: {result['accounts_created']}, cập nhật: {result['accounts_updated']}"
        )
        self.stdout.write("ok")
