"""The README stays true: every environment variable the settings read, and every demo account."""

import re
from pathlib import Path

from consultation.demo import content

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
SETTINGS = sorted((REPO / "site" / "config" / "settings").glob("*.py"))

# env("NAME", ...), env.bool("NAME", ...), env.list(...), _required("NAME")
READS = re.compile(r'\b(?:env(?:\.\w+)?|_required)\(\s*"([A-Z][A-Z0-9_]*)"')


def table_rows():
    return {m.group(1) for m in re.finditer(r"^\| `([A-Za-z0-9_-]+)` \|", README, flags=re.MULTILINE)}


def test_every_environment_variable_the_settings_read_is_in_the_configuration_table():
    read = {name for path in SETTINGS for name in READS.findall(path.read_text())}
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"} <= read  # the pattern works

    missing = read - table_rows()

    assert not missing, f"add these to the configuration table in README.md: {sorted(missing)}"


def test_every_demo_account_is_in_the_accounts_table():
    accounts = {content.EDITOR[0], content.MODERATOR[0], content.PUBLIC[0]}
    accounts |= {person[0] for group in content.GROUPS for person in group["people"]}

    assert accounts <= table_rows()
    assert f"**`{content.PASSWORD}`**" in README


def test_readme_keeps_the_two_commands_and_the_benchmarks_heading():
    assert "make run" in README and "make test" in README
    assert "\n## Benchmarks\n" in README
    assert "docs/architecture.md" in README


# getattr(settings, "NAME", ...) and settings.NAME in the project's own code.
CODE_READS = re.compile(r'getattr\(settings,\s*"([A-Z][A-Z0-9_]*)"|\bsettings\.([A-Z][A-Z0-9_]*)')
DJANGO_AND_LIBRARIES = {
    "DEBUG",
    "SETTINGS_MODULE",
    "WAGTAIL_PAGE_MODEL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEFAULT_FROM_EMAIL",
    # django-ratelimit's own, read where core/limits.py counts in one Redis trip.
    "RATELIMIT_ENABLE",
    "RATELIMIT_USE_CACHE",
    "RATELIMIT_FAIL_OPEN",
}


def test_every_setting_the_code_reads_is_documented():
    code = [
        path
        for app in ("consultation", "workinggroups", "site")
        for path in (REPO / app).rglob("*.py")
        if "migrations" not in path.parts and "settings" not in path.parts
    ]
    read = {a or b for path in code for a, b in CODE_READS.findall(path.read_text())}
    assert {"TALLY_BROADCAST_INTERVAL", "REPORT_CACHE_SECONDS"} <= read  # the pattern works
    documented = table_rows() | {
        name
        for name in read
        for prefix in ("COMMENTS_XTD_", "AXES_")
        if name.startswith(prefix) and f"`{prefix}*`" in README
    }
    documented |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", README))
    missing = read - documented - DJANGO_AND_LIBRARIES
    assert not missing, f"document these settings in README.md: {sorted(missing)}"


def test_the_docs_link_nothing_outside_the_repository():
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = path.read_text()
        assert "../shared" not in text, path.name
        for target in re.findall(r"\]\(([^)#]+)\)", text):
            if "://" in target:
                continue
            assert (path.parent / target).resolve().is_relative_to(REPO), (path.name, target)
