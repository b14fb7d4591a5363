"""Reads an Odoo log and states what it shows, as 'NAME: N passed, N failed' on its last line.

    odoo_log_check.py tests LOG RC          a --test-enable run: tests counted from Odoo's stats, failures from
                                            the FAIL/ERROR lines; any WARNING+ about xero during the install
                                            phase, or any ERROR+ at all, counts as a failure.
    odoo_log_check.py uninstall LOG RC DB PSQL...   `odoo-bin module uninstall`: no ERROR+, and the addon's
                                            tables and module row gone from DB.
    odoo_log_check.py uninstall-purchase LOG RC DB PSQL...   the same for the bridge xero_connector_purchase: its
                                            module row uninstalled and its columns gone from purchase_order.
"""

import re
import subprocess
import sys

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[^:]+): (?P<msg>.*)$")


def parse(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        for raw in fh:
            match = LINE.match(raw.rstrip("\n"))
            if match:
                yield match


def check_tests(path, rc):
    problems = []
    tests_run = 0
    failed_tests = 0
    post_install = False
    for m in parse(path):
        level, logger, msg = m["level"], m["logger"], m["msg"]
        if msg.startswith("Starting post tests"):
            post_install = True
        report = re.match(r"\d+ failed, \d+ error\(s\) of (\d+) tests", msg)
        if logger == "odoo.tests.result" and report:
            tests_run = int(report.group(1))
            continue
        ran = re.match(r"(\d+) post-tests in", msg)
        if logger == "odoo.service.server" and ran:
            tests_run = max(tests_run, int(ran.group(1)))
        if level in ("ERROR", "CRITICAL"):
            if re.match(r"(FAIL|ERROR): ", msg):
                failed_tests += 1
            problems.append(f"{level} {logger}: {msg}")
        elif level == "WARNING" and not post_install and "xero" in (logger + msg).lower():
            problems.append(f"install warning {logger}: {msg}")
    other = len(problems) - failed_tests
    failed = failed_tests + max(other, 0)
    if rc != 0 and failed == 0:
        problems.append(f"odoo-bin exited with {rc}")
        failed = 1
    if tests_run == 0:
        problems.append("Odoo ran no test of xero_connector")
        failed += 1
    for problem in problems:
        print(problem)
    print(f"odoo: {max(tests_run - failed_tests, 0)} passed, {failed} failed")


def check_uninstall(path, rc, db, psql, module="xero_connector"):
    problems = [f"{m['level']} {m['logger']}: {m['msg']}" for m in parse(path) if m["level"] in ("ERROR", "CRITICAL")]
    if rc != 0:
        problems.append(f"odoo-bin module uninstall exited with {rc}")
    gone = "to_regclass('xero_connection') IS NULL" if module == "xero_connector" else (
        "NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'purchase_order' "
        "AND column_name = 'xero_purchase_order_id')")
    query = f"SELECT (SELECT state FROM ir_module_module WHERE name = '{module}') || ' ' || ({gone})"
    out = subprocess.run([*psql, "-d", db, "-tAc", query], capture_output=True, text=True, check=False).stdout.strip()
    if out != "uninstalled true":
        problems.append(f"after uninstall, module state and table removal are: {out or 'unknown'}")
    for problem in problems:
        print(problem)
    name = "uninstall" if module == "xero_connector" else "uninstall-purchase"
    print(f"{name}: {0 if problems else 1} passed, {1 if problems else 0} failed")


if __name__ == "__main__":
    mode, log, code = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "tests":
        check_tests(log, code)
    elif mode == "uninstall-purchase":
        check_uninstall(log, code, sys.argv[4], sys.argv[5:], module="xero_connector_purchase")
    else:
        check_uninstall(log, code, sys.argv[4], sys.argv[5:])
