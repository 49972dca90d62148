"""python -m bench <scenario> [options]: run one load scenario and print its JSON report."""

import importlib
import sys

SCENARIOS = {
    "login_burst": "bench.scenarios.login_burst",
    "notice_broadcast": "bench.scenarios.notice_broadcast",
    "papers": "bench.scenarios.papers",
    "exam": "bench.scenarios.exam",
    "results": "bench.scenarios.results",
    "courses": "bench.scenarios.courses",
    "certificates": "bench.scenarios.certificates",
    "contest": "bench.scenarios.contest",
}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in SCENARIOS:
        print(f"usage: python -m bench {{{'|'.join(SCENARIOS)}}} [--json PATH] [options]", file=sys.stderr)
        return 2
    module = importlib.import_module(SCENARIOS[sys.argv[1]])
    return module.main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
