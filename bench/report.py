"""Benchmark: build the consensus report on a large synthetic consultation.

    python -m bench.report                 # 100 sections, 50,000 comments, 500,000 reactions, 5 groups
    python -m bench.report --scale 0.1     # a tenth of that
    DATABASE_URL=postgres://… python -m bench.report

In the same run it times the floor any report must pay — one raw SQL
GROUP BY over the paper's reactions (section × group × member/public ×
choice) — and prints the ratio of the report to it. It also counts the
report's queries (the number does not depend on the data) and times each
output rendered from the snapshot.

The database is var/bench-report.sqlite3 unless DATABASE_URL is set; the
synthetic consultation is generated once and reused by later runs with the
same scale (--fresh makes a new one).
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASELINE_SQL = (
    "SELECT section_id, working_group_id, is_member, choice, COUNT(*) "
    "FROM consultation_reaction WHERE paper_id = %s AND target_kind = 'section' "
    "GROUP BY section_id, working_group_id, is_member, choice"
)


def setup_django():
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # Without DEBUG, Django keeps no copy of every query (the generator sends large ones).
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-report.sqlite3'}")
    (ROOT / "var").mkdir(exist_ok=True)
    import django

    django.setup()


def timed(function, runs):
    durations = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return result, durations


def pdf_pages(pdf):
    """The page count as pdfinfo (poppler-utils) reads it; "?" without it (pages sit in object streams)."""
    tool = shutil.which("pdfinfo")
    if not tool:
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        info = subprocess.run([tool, file.name], capture_output=True, text=True, check=False).stdout  # noqa: S603
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return match.group(1) if match else "?"


def describe(durations):
    median, fastest = statistics.median(durations), min(durations)
    return f"median {median:8.3f} s   min {fastest:8.3f} s   ({len(durations)} runs)"


def print_phases(phase_laps, write_cpu):
    """Each process's phases of a layout in parts, and the critical path's CPU: the two processes
    meet twice (trading page counts, then the tail's pages), so it is the longer process's CPU
    up to each meeting, then this process's CPU alone (unpickling, the contents, the join and the
    writing). The waits are wall time, so they mean something only on an idle machine."""
    segments = []
    for process, laps in phase_laps.items():
        print(f"    {process}:")
        own = [0.0]
        for phase, cpu, wall in laps:
            print(f"      {phase:<40} CPU {cpu:6.2f} s   wall {wall:6.2f} s")
            if phase.split(": ")[-1].startswith("wait"):
                own.append(0.0)
            else:
                own[-1] += cpu
        segments.append(own)
    here, forked = segments
    print(
        f"    CPU between meetings: this process {' + '.join(f'{seconds:.2f}' for seconds in here)},"
        f" forked {' + '.join(f'{seconds:.2f}' for seconds in forked)}"
    )
    path = [max(here[i], forked[i] if i < len(forked) else 0.0) for i in range(len(here))]
    path[-1] += write_cpu
    print(
        f"    critical path CPU {sum(path):.1f} s"
        f" ({' + '.join(f'{seconds:.1f}' for seconds in path)}: up to each meeting, then alone, and writing)"
    )


def synthetic_paper(*, scale, fresh):
    from django.core.management import call_command

    from consultation.management.commands.generate_synthetic import FULL
    from consultation.models import PolicyPaperPage

    sections = max(1, round(FULL["sections"] * scale))
    if not fresh:
        for paper in PolicyPaperPage.objects.filter(title__startswith="Synthetic paper").order_by("-pk"):
            if paper.get_children().count() == sections:
                return paper, False
    started = time.perf_counter()
    call_command("generate_synthetic", scale=scale, verbosity=0)
    print(f"Generated the synthetic consultation in {time.perf_counter() - started:.1f} s.")
    return PolicyPaperPage.objects.filter(title__startswith="Synthetic paper").order_by("-pk").first(), True


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1 = 100 sections, 50,000 comments, 500,000 reactions"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each step, after one warm-up")
    parser.add_argument("--fresh", action="store_true", help="generate a new synthetic consultation")
    parser.add_argument(
        "--pdf", action="store_true", help="also time the PDF (slow: WeasyPrint lays out every page)"
    )
    args = parser.parse_args(argv)

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consultation.models import Comment, CommentsStamp, Reaction
    from consultation.report.builder import report_build
    from consultation.report.pdf_layout import collection_paused
    from consultation.report.render import PDF_OPTIONS, pdf_document, render_body, render_csv, render_json

    call_command("migrate", verbosity=0)
    paper, _ = synthetic_paper(scale=args.scale, fresh=args.fresh)
    sections = paper.get_children().count()
    reactions = Reaction.objects.filter(paper=paper).count()
    comments = Comment.objects.filter(paper=paper).count()
    groups = paper.consultation.invited_groups.count()

    def build():
        return report_build(paper=paper)

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, [paper.pk])
            return cursor.fetchall()

    # Warm-up: the database's caches, Django's and Wagtail's.
    build()
    baseline()
    with CaptureQueriesContext(connection) as queries:
        snapshot = build()
    # What is read from comments is kept between builds under each section's comments stamp
    # (docs/report.md). Timed three ways: nothing changed since the last build; after a real
    # write about one section's comments (a reaction to a comment changes its choice: the
    # triggers move that section's stamp); and with every stamp moved, as after writes in every
    # section (nothing kept: the whole ranking and the comment figures read afresh).
    flipped = Reaction.objects.filter(paper=paper, target_kind="comment").order_by("pk").first()
    section_ids = list(paper.get_children().values_list("pk", flat=True))

    def after_one_write():
        """Timed after one reaction changes; changed back after (the data stay as generated)."""
        one = Reaction.objects.filter(pk=flipped.pk)
        one.update(choice="agree" if flipped.choice == "disagree" else "disagree")
        durations = timed(build, 1)[1]
        one.update(choice=flipped.choice)
        return durations

    def with_nothing_kept():
        CommentsStamp.objects.filter(page_id__in=[*section_ids, paper.pk]).update(stamp=uuid.uuid4().hex)
        with CaptureQueriesContext(connection) as cold_queries:
            durations = timed(build, 1)[1]
        return durations, len(cold_queries)

    # Interleaved, so that all see the same load on a shared machine.
    report_times, baseline_times, one_write_times, cold_times = [], [], [], []
    for _ in range(args.runs):
        report_times += timed(build, 1)[1]
        rows, durations = timed(baseline, 1)
        baseline_times += durations
        one_write_times += after_one_write()
        durations, cold_query_count = with_nothing_kept()
        cold_times += durations
    floor = statistics.median(baseline_times)
    ratio = statistics.median(report_times) / floor

    print()
    print(f"Consensus report benchmark — {connection.vendor}, paper {paper.pk}")
    print(f"  load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  data: {sections} sections, {groups} groups, {comments:,} comments, {reactions:,} reactions")
    print(f"  baseline: one GROUP BY         {describe(baseline_times)}   {len(rows)} rows")
    print(f"  report_build (snapshot)        {describe(report_times)}   {len(queries)} queries")
    print(f"  ratio report / baseline        {ratio:.1f}x   (comments unchanged since the last build)")
    print(
        f"  after one comment reaction     {describe(one_write_times)}"
        f"   {statistics.median(one_write_times) / floor:.1f}x   (one section ranked again)"
    )
    print(
        f"  every section changed          {describe(cold_times)}"
        f"   {statistics.median(cold_times) / floor:.1f}x   {cold_query_count} queries (nothing kept)"
    )
    for name, render in (("HTML body", render_body), ("CSV", render_csv), ("JSON", render_json)):
        _, durations = timed(lambda render=render: render(snapshot), args.runs)
        print(f"  render {name:<23} {describe(durations)}")
    if args.pdf:
        # CPU seconds beside wall seconds: on a shared machine the wall time is mostly waiting.
        # Timed in WeasyPrint's two steps: laying out (template, HTML parsing, the style
        # cascade, line breaking, pagination; a large report in two processes, each painting
        # its own pages ahead, consultation/report/pdf_layout.py) and writing the PDF (the
        # pages not painted ahead, tags, fonts subset and embedded, compression). The forked
        # process's CPU is counted once it has ended (os.times' children). As in `render_pdf`, with
        # no cyclic garbage collection from laying out to written; what resuming it costs is
        # timed apart.
        def cpu():
            times = os.times()
            return times.user + times.system, times.children_user + times.children_system

        load = os.getloadavg()
        with collection_paused():
            (own, children), wall = cpu(), time.perf_counter()
            document = pdf_document(snapshot)
            own_after, children_after = cpu()
            layout_own, layout_forked = own_after - own, children_after - children
            layout_wall = time.perf_counter() - wall
            cpu_before, wall = time.process_time(), time.perf_counter()
            pdf = document.write_pdf(**PDF_OPTIONS)
            write_cpu, write_wall = time.process_time() - cpu_before, time.perf_counter() - wall
            phase_laps = getattr(document, "phase_laps", None)
            del document
            cpu_before = time.process_time()
        resume_cpu = time.process_time() - cpu_before
        pages = pdf_pages(pdf)
        print(
            f"  render PDF                     wall {layout_wall + write_wall:8.3f} s   "
            f"CPU {layout_own + layout_forked + write_cpu:.1f} s   {pages} pages   {len(pdf) / 1e6:.1f} MB"
            f"   (load before {', '.join(f'{x:.2f}' for x in load)})"
        )
        print(
            f"    lay out (and paint ahead)         wall {layout_wall:6.1f} s   CPU {layout_own:.1f} s here"
            f" + {layout_forked:.1f} s in the forked process"
        )
        print(f"    write (tags, fonts, compression)  wall {write_wall:6.1f} s   CPU {write_cpu:.1f} s")
        print(f"    then garbage collection resumed            CPU {resume_cpu:.1f} s")
        if phase_laps:
            print_phases(phase_laps, write_cpu)
    classified = ", ".join(
        f"{row['label'].lower()} {row['sections']}" for row in snapshot["summary"]["by_classification"]
    )
    print(f"  sections by classification: {classified}")
    print(f"  load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
