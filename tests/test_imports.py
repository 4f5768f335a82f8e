"""AC401-AC404 through the real command on real repositories: every contract type and source
(policy, import-linter, tach), new edges only, waivers, languages, modes and bad input."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from checker.model.finding import Finding
from tests import memory
from tests.conftest import Repo, diff_findings

INIT = ""
SHOP = {
    "src/shop/__init__.py": INIT,
    "src/shop/api/__init__.py": INIT,
    "src/shop/api/views.py": "from shop.services import orders\n",
    "src/shop/services/__init__.py": INIT,
    "src/shop/services/orders.py": "from shop.db import models\n",
    "src/shop/db/__init__.py": INIT,
    "src/shop/db/models.py": "import json\n",
    "src/shop/ui/__init__.py": INIT,
    "src/shop/ui/view.py": "import os\n",
    "src/shop/billing/__init__.py": INIT,
    "src/shop/billing/invoice.py": "import decimal\n",
    "src/shop/shipping/__init__.py": INIT,
    "src/shop/shipping/rates.py": "RATE = 1\n",
}
POLICY = """
[[imports.contracts]]
type = "layers"
name = "shop layers"
layers = ["shop.api", "shop.services", "shop.db"]

[[imports.contracts]]
type = "forbidden"
name = "ui never touches db"
source = ["shop.ui"]
forbidden = ["shop.db"]

[[imports.contracts]]
type = "independence"
modules = ["shop.billing", "shop.shipping"]
"""


def shop(repo: Repo, policy: str = POLICY, **extra: str) -> None:
    files: dict[str, str | bytes] = {**SHOP, **extra}
    if policy:
        files["agentcheck.toml"] = policy
    repo.commit("base", files)


def findings(repo: Repo, *args: str) -> list[dict[str, Any]]:
    return [f for f in diff_findings(repo, *args) if f["code"].startswith("AC4")]


def places(repo: Repo, *args: str) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in findings(repo, *args)]


@pytest.mark.e2e
def test_forbidden_import_reported_as_the_issue_shows(repo: Repo) -> None:
    shop(repo)
    repo.write("src/shop/ui/view.py", "import os\nfrom shop.db import models\n")
    result = repo.run("diff")
    assert result.code == 1
    assert (
        "src/shop/ui/view.py:2:1: AC402 new import shop.ui.view -> shop.db.models breaks "
        "contract 'ui never touches db' (agentcheck.toml)"
    ) in result.out


def imports(
    changed: Mapping[str, str | None],
    policy: str = POLICY,
    *,
    before: Mapping[str, str] | None = None,
    task: str | None = None,
    renames: dict[str, str] | None = None,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
) -> list[Finding]:
    """The AC4xx findings, in process, of the change that turns SHOP (with BEFORE's files) into
    the same with CHANGED's files (None: deleted)."""
    base: dict[str, str | bytes] = {**SHOP, **(before or {})}
    head = {**base, **{path: text for path, text in changed.items() if text is not None}}
    for path, text in changed.items():
        if text is None:
            del head[path]
    found = memory.findings(
        base, head, policy=policy, task=task, renames=renames, select=select, ignore=ignore
    )
    return [f for f in found if f.code.startswith("AC4")]


def located(changed: Mapping[str, str | None], policy: str = POLICY, **keywords: Any) -> list[Any]:
    return memory.located(imports(changed, policy, **keywords))


def test_layers_independence_and_forbidden_codes() -> None:
    found = imports(
        {
            "src/shop/db/models.py": "import json\nfrom shop.api import views\n",
            "src/shop/billing/invoice.py": "import decimal\nimport shop.shipping.rates\n",
            "src/shop/ui/view.py": "import shop.db\n",
        }
    )
    assert memory.located(found) == [
        ("AC403", "src/shop/billing/invoice.py", 2),
        ("AC401", "src/shop/db/models.py", 2),
        ("AC402", "src/shop/ui/view.py", 1),
    ]
    messages = {f.code: f.message for f in found}
    assert messages["AC401"] == (
        "new import shop.db.models -> shop.api.views breaks contract 'shop layers' "
        "(agentcheck.toml)"
    )
    assert messages["AC403"] == (
        "new import shop.billing.invoice -> shop.shipping.rates breaks contract "
        "'shop.billing, shop.shipping are independent' (agentcheck.toml)"
    )


def test_allowed_direction_and_unrelated_imports_are_silent() -> None:
    changed = {
        "src/shop/api/views.py": "from shop.services import orders\nfrom shop.db import models\n",
        "src/shop/ui/view.py": "import os\nimport shop.api\nimport requests\n",
    }
    assert located(changed) == []


def test_moved_and_reordered_imports_stay_silent() -> None:
    old = "import json\nfrom shop.api import views\nimport shop.ui\n\n\ndef f():\n    return 1\n"
    new = (
        "import shop.ui\nimport json\n\n\ndef f():\n    from shop.api import views\n"
        "    return views\n"
    )
    # A violation that predates the change, moved and reordered by it.
    before = {"src/shop/db/models.py": old}
    assert located({"src/shop/db/models.py": new}, before=before) == []


def test_pre_existing_violation_silent_new_one_reported() -> None:
    before = {"src/shop/db/models.py": "from shop.api import views\n"}
    changed = {"src/shop/db/models.py": "from shop.api import views\nimport shop.services.orders\n"}
    assert located(changed, before=before) == [("AC401", "src/shop/db/models.py", 2)]


def test_renamed_file_keeps_old_violations_and_gains_new_ones() -> None:
    before = {"src/shop/db/models.py": "import shop.api\n"}
    tables = {"src/shop/db/models.py": None, "src/shop/db/tables.py": "import shop.api\n"}
    renames = {"src/shop/db/tables.py": "src/shop/db/models.py"}
    # The same violation, now in tables.py: not a new one.
    assert located(tables, before=before, renames=renames) == []
    views = {"src/shop/api/views.py": None, "src/shop/db/views.py": SHOP["src/shop/api/views.py"]}
    renames["src/shop/db/views.py"] = "src/shop/api/views.py"
    found = located({**tables, **views}, before=before, renames=renames)
    # shop.db.views -> shop.services.orders climbs the layers: the move added it.
    assert found == [("AC401", "src/shop/db/views.py", 1)]


def test_task_allow_imports_waives_edges() -> None:
    changed = {
        "src/shop/ui/view.py": "from shop.db import models\n",
        "src/shop/db/models.py": "from shop.api import views\n",
    }
    task = 'allow-imports = ["shop.ui -> shop.db"]\n'
    assert located(changed, task=task) == [("AC401", "src/shop/db/models.py", 1)]
    task = 'allow-imports = ["shop.ui -> shop.db", "shop.* -> shop.api.**"]\n'
    assert located(changed, task=task) == []


def test_contract_ignore_edges() -> None:
    policy = POLICY.replace(
        'forbidden = ["shop.db"]', 'forbidden = ["shop.db"]\nignore = ["shop.ui -> shop.db.models"]'
    )
    changed = {"src/shop/ui/view.py": "from shop.db import models\nimport shop.db\n"}
    assert located(changed, policy) == [("AC402", "src/shop/ui/view.py", 2)]


def test_type_checking_imports_follow_the_switch() -> None:
    changed = {
        "src/shop/ui/view.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from shop.db import models\n"
    }
    assert located(changed) == []
    switched = POLICY.replace("\n[[", "\n[imports]\ntype-checking-imports = true\n\n[[", 1)
    assert located(changed, switched) == [("AC402", "src/shop/ui/view.py", 3)]


def test_type_only_import_made_runtime_is_new() -> None:
    before = {"src/shop/ui/view.py": "if TYPE_CHECKING:\n    import shop.db\n"}
    changed = {"src/shop/ui/view.py": "import shop.db\n"}
    assert located(changed, before=before) == [("AC402", "src/shop/ui/view.py", 1)]


VIEW = """\
from typing import TYPE_CHECKING


def first():
    return 1


if TYPE_CHECKING:
    from shop.db import models


NOTE = \'\'\'
x = 1
from shop.db import models
y = 2
\'\'\'


def last():
    return 2
"""


def edit(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_edits_in_place_read_around_the_change() -> None:
    """A file edited in place is read around its changes; each edit here adds an edge only the
    statements around it show."""
    before = {"src/shop/ui/view.py": VIEW}

    def view(text: str) -> list[Any]:
        return located({"src/shop/ui/view.py": text}, before=before)

    assert view(VIEW) == []
    # The guard's line alone changes: the import under it now runs.
    assert view(edit(VIEW, "if TYPE_CHECKING:", "if True:")) == [
        ("AC402", "src/shop/ui/view.py", 9)
    ]
    # Only a line is removed: the import falls into the function above it.
    assert view(edit(VIEW, "\n\nif TYPE_CHECKING:\n", "\n")) == [
        ("AC402", "src/shop/ui/view.py", 7)
    ]
    # The quotes go: the text between them, away from both edits, is code. The whole file is
    # read, since the statements around the edits cannot show it.
    unquoted = edit(VIEW, "NOTE = '''", "NOTE = 1").replace("'''", "z = 3")
    assert view(unquoted) == [("AC402", "src/shop/ui/view.py", 14)]
    # An edit far from them leaves the type-only import and the string alone.
    assert view(edit(VIEW, "return 2", "return 3")) == []


def test_edit_in_place_beside_a_syntax_error_it_leaves_alone() -> None:
    """Statements the change does not touch are not read: an old syntax error there gets no
    AC404, while one the change makes does."""
    broken = VIEW + "\ndef old_mistake(:\n    pass\n"
    before = {"src/shop/ui/view.py": broken}
    changed = {"src/shop/ui/view.py": edit(broken, "return 1", "import shop.db")}
    assert located(changed, before=before) == [("AC402", "src/shop/ui/view.py", 5)]
    changed = {"src/shop/ui/view.py": edit(broken, "return 1", "import shop.db +")}
    assert located(changed, before=before) == [("AC404", "src/shop/ui/view.py", 5)]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # Names at column 0 inside an import's brackets: the added one is part of the import.
        (
            "from shop import (\napi,\nbilling,\n)\n",
            "from shop import (\napi,\ndb,\nbilling,\n)\n",
            [("AC402", 3)],
        ),
        # Removed lines open and close brackets around lines left alone: read whole.
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING: x = (\n0,\n"
            '__import__("shop.db"),\n0,\n0)\n',
            'from typing import TYPE_CHECKING\n0,\n__import__("shop.db"),\n0,\n',
            [("AC402", 3)],
        ),
        # An added line inside brackets under a guard keeps the guard.
        (
            "from typing import TYPE_CHECKING\nimport importlib\nif TYPE_CHECKING:\n"
            '    MODELS = (\nimportlib.import_module("shop.db.models"),\nNone)\n',
            "from typing import TYPE_CHECKING\nimport importlib\nif TYPE_CHECKING:\n"
            '    MODELS = (\nimportlib.import_module("shop.db.models"),\n'
            'importlib.import_module("shop.db"),\nNone)\n',
            [],
        ),
        # A blank line after a backslash is a syntax error the change makes.
        (
            "import os\nTOTAL = 1 + \\\n    2\n",
            "import os\nTOTAL = 1 + \\\n\n    2\n",
            [("AC404", 3)],
        ),
    ],
    ids=["bracketed-names", "brackets-around-removed-lines", "guarded-brackets", "backslash"],
)
def test_edits_in_place_around_brackets_and_blank_lines(
    old: str, new: str, expected: list[tuple[str, int]]
) -> None:
    found = located({"src/shop/ui/view.py": new}, before={"src/shop/ui/view.py": old})
    assert [(code, line) for code, _, line in found] == expected


def test_an_added_module_makes_an_unchanged_import_new() -> None:
    """`from shop.db import session` named a package attribute; once the change adds the module
    shop.db.session, the same line imports it."""
    policy = POLICY + '\n[[imports.contracts]]\ntype = "forbidden"\nname = "no sessions"\n'
    policy += 'source = ["shop.ui"]\nforbidden = ["shop.db.session"]\n'
    old = "from shop.db import session\n\n\ndef f():\n    return 1\n"
    before = {"src/shop/ui/view.py": old}
    changed: dict[str, str | None] = {"src/shop/ui/view.py": old.replace("return 1", "return 2")}
    assert located(changed, policy, before=before) == []
    changed["src/shop/db/session.py"] = ""
    found = [
        (f.code, f.line, "no sessions" in f.message)
        for f in imports(changed, policy, before=before)
    ]
    assert ("AC402", 1, True) in found


def test_edit_in_place_of_a_file_with_carriage_returns_alone() -> None:
    """git sees a CR-only file as one line; Python sees its lines, so it is read whole."""
    old = "import os\rdef f():\r    return 1\r"
    changed = {"src/shop/ui/view.py": old + "from shop.db import models\r"}
    assert located(changed, before={"src/shop/ui/view.py": old}) == [
        ("AC402", "src/shop/ui/view.py", 4)
    ]


def test_base_read_where_a_dynamic_import_may_hold_the_same_edge() -> None:
    """The base is parsed for a breaking edge unless its text cannot name the module; a dynamic
    import's string can spell the name with escapes."""
    old = 'import importlib\nimportlib.import_module("shop.db.\\x6dodels")\n'
    changed = {"src/shop/ui/view.py": "from shop.db import models\n" + old}
    # The base made the same import.
    assert located(changed, before={"src/shop/ui/view.py": old}) == []


def test_unparsable_file_warns_and_is_read_line_by_line() -> None:
    changed = {
        "src/shop/ui/view.py": "import os\nfrom shop.db import models\ndef broken(:\n    pass\n"
    }
    found = imports(changed)
    assert [(f.code, f.severity, f.line) for f in found] == [
        ("AC402", "error", 2),
        ("AC404", "warning", 3),
    ]
    assert "does not parse (line 3" in found[1].message


@pytest.mark.e2e
def test_an_unparsable_file_alone_warns_and_passes(repo: Repo) -> None:
    shop(repo)
    repo.write("src/shop/ui/view.py", "import os\ndef broken(:\n    pass\n")
    result = repo.run("diff", "--format", "json")
    assert result.code == 0  # a warning alone does not fail
    assert result.codes == ["AC404"]


def test_files_no_contract_covers_are_not_read() -> None:
    """No import from shop.utils can break a contract (none names it as an importer), so its
    imports are not read: a syntax error there is no AC404, while the same in shop.ui is."""
    broken = "import shop.api\ndef broken(:\n    pass\n"
    assert located({"src/shop/utils/helpers.py": broken}) == []
    # A layer's module: checked, AC401 and AC404.
    changed = {"src/shop/utils/helpers.py": broken, "src/shop/db/helpers.py": broken}
    assert located(changed) == [
        ("AC401", "src/shop/db/helpers.py", 1),
        ("AC404", "src/shop/db/helpers.py", 2),
    ]


def test_new_file_and_select_and_ignore() -> None:
    assert located({"src/shop/ui/panel.py": '"""Panel."""\n\nimport shop.db.models\n'}) == [
        ("AC402", "src/shop/ui/panel.py", 3)
    ]
    changed = {
        "src/shop/ui/view.py": "from shop.db import models\n",
        "src/shop/db/models.py": "from shop.api import views\n",
    }
    assert [f.code for f in imports(changed, select=("AC402",))] == ["AC402"]
    assert imports(changed, ignore=("AC4",)) == []


@pytest.mark.e2e
def test_every_git_mode(repo: Repo) -> None:
    shop(repo)
    repo.write("src/shop/ui/view.py", "from shop.db import models\n")
    repo.git("add", "src/shop/ui/view.py")
    assert places(repo, "--staged") == [("AC402", "src/shop/ui/view.py", 1)]
    repo.write("src/shop/ui/view.py", "import os\n")  # the work tree undoes it
    assert places(repo) == []
    assert places(repo, "--staged") == [("AC402", "src/shop/ui/view.py", 1)]
    repo.git("commit", "-q", "-m", "ui reads db")
    assert places(repo, "HEAD") == [("AC402", "src/shop/ui/view.py", 1)]
    assert places(repo, "HEAD~1..HEAD") == [("AC402", "src/shop/ui/view.py", 1)]


@pytest.mark.e2e
def test_new_file_and_untracked_file(repo: Repo) -> None:
    shop(repo)
    repo.write("src/shop/ui/panel.py", '"""Panel."""\n\nimport shop.db.models\n')
    assert places(repo) == [("AC402", "src/shop/ui/panel.py", 3)]


@pytest.mark.e2e
def test_patch_mode_reads_added_lines(repo: Repo, tmp_path: Path) -> None:
    shop(repo)
    repo.write("src/shop/ui/view.py", "import json\nfrom shop.db import models\n")
    repo.write("src/shop/db/models.py", "from shop.api import views\n")
    patch = tmp_path / "change.diff"
    patch.write_bytes(repo.git("diff").encode())
    repo.git("checkout", "--", ".")
    assert places(repo, "--patch", str(patch)) == [
        ("AC401", "src/shop/db/models.py", 1),
        ("AC402", "src/shop/ui/view.py", 2),
    ]
    # A line removed and added again (re-indented, moved in the hunk) is not new.
    moved = tmp_path / "moved.diff"
    moved.write_text(
        "--- a/src/shop/ui/view.py\n+++ b/src/shop/ui/view.py\n@@ -1,2 +1,2 @@\n"
        "-from shop.db import models\n-import os\n+import os\n+from shop.db import models\n"
    )
    assert places(repo, "--patch", str(moved)) == []


@pytest.mark.e2e
def test_patch_outside_a_repository_uses_the_policy_given(tmp_path: Path) -> None:
    from tests.conftest import run_agentcheck

    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY)
    patch = tmp_path / "change.diff"
    patch.write_text(
        "--- a/src/shop/ui/view.py\n+++ b/src/shop/ui/view.py\n@@ -1 +1,2 @@\n import os\n"
        "+from shop.db import models\n"
    )
    result = run_agentcheck(
        "diff", "--patch", str(patch), "--config", str(policy), "--format", "json", cwd=tmp_path
    )
    assert result.code == 1, result.err
    assert result.codes == ["AC402"]


@pytest.mark.e2e
def test_roots_configured_and_detected(repo: Repo) -> None:
    files: dict[str, str | bytes] = {
        "backend/app/__init__.py": INIT,
        "backend/app/ui/__init__.py": INIT,
        "backend/app/ui/page.py": "import os\n",
        "backend/app/db/__init__.py": INIT,
        "backend/app/db/rows.py": "x = 1\n",
        "agentcheck.toml": '[[imports.contracts]]\ntype = "forbidden"\nsource = ["app.ui"]\n'
        'forbidden = ["app.db"]\n',
    }
    repo.commit("base", files)
    repo.write("backend/app/ui/page.py", "from ..db import rows\n")
    found = findings(repo)
    assert [f["message"] for f in found] == [
        "new import app.ui.page -> app.db.rows breaks contract 'app.ui must not import app.db' "
        "(agentcheck.toml)"
    ]
    repo.commit(
        "roots",
        {
            "agentcheck.toml": str(files["agentcheck.toml"]).replace(
                "[[", '[imports]\nroots = ["."]\n\n[[', 1
            )
        },
    )
    repo.write("backend/app/ui/page.py", "from ..db import rows\n")
    assert findings(repo) == []  # backend.app.ui is not app.ui


IMPORTLINTER_INI = """
[importlinter]
root_package = shop

[importlinter:contract:layers]
name = Shop layers
type = layers
layers =
    api
    services
    db
containers =
    shop
ignore_imports =
    shop.db.legacy -> shop.api.*

[importlinter:contract:ui-db]
name = UI never touches the database
type = forbidden
source_modules =
    shop.ui
forbidden_modules =
    shop.db

[importlinter:contract:indep]
name = Billing and shipping are independent
type = independence
modules =
    shop.billing
    shop.shipping
"""


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("name", "text", "label"),
    [
        (".importlinter", IMPORTLINTER_INI, ".importlinter"),
        ("setup.cfg", "[metadata]\nname = shop\n" + IMPORTLINTER_INI, "setup.cfg"),
    ],
)
def test_importlinter_ini_files(repo: Repo, name: str, text: str, label: str) -> None:
    shop(repo, "", **{name: text, "src/shop/db/legacy.py": "x = 1\n"})
    repo.write("src/shop/db/models.py", "from shop.api import views\n")
    repo.write("src/shop/db/legacy.py", "from shop.api import views\n")  # ignored
    repo.write("src/shop/ui/view.py", "from shop.db import models\n")
    repo.write("src/shop/shipping/rates.py", "from shop.billing.invoice import X\n")
    messages = [f["message"] for f in findings(repo)]
    assert messages == [
        f"new import shop.db.models -> shop.api.views breaks contract 'Shop layers' ({label})",
        "new import shop.shipping.rates -> shop.billing.invoice breaks contract "
        f"'Billing and shipping are independent' ({label})",
        "new import shop.ui.view -> shop.db.models breaks contract 'UI never touches the "
        f"database' ({label})",
    ]


@pytest.mark.e2e
def test_importlinter_in_pyproject(repo: Repo) -> None:
    pyproject = """
[project]
name = "shop"

[tool.importlinter]
root_packages = ["shop"]

[[tool.importlinter.contracts]]
name = "UI never touches the database"
type = "forbidden"
source_modules = ["shop.ui"]
forbidden_modules = ["shop.db"]
allow_indirect_imports = true
"""
    shop(repo, "", **{"pyproject.toml": pyproject})
    repo.write("src/shop/ui/view.py", "import shop.db.models\n")
    assert [f["message"] for f in findings(repo)] == [
        "new import shop.ui.view -> shop.db.models breaks contract 'UI never touches the "
        "database' (pyproject.toml [tool.importlinter])"
    ]


TACH = """
source_roots = ["src"]
layers = ["interface", "domain", "data"]

[[modules]]
path = "shop.api"
layer = "interface"

[[modules]]
path = "shop.services"
layer = "domain"

[[modules]]
path = "shop.db"
layer = "data"

[[modules]]
path = "shop.ui"
depends_on = ["shop.api"]

[[modules]]
path = "shop.billing"
cannot_depend_on = ["shop.shipping"]

[[modules]]
path = "shop.shipping"

[[modules]]
path = "shop.util"
utility = true
"""


@pytest.mark.e2e
def test_tach_modules_and_layers(repo: Repo) -> None:
    shop(repo, "", **{"tach.toml": TACH, "src/shop/util.py": "x = 1\n"})
    repo.write("src/shop/db/models.py", "import shop.services.orders\nfrom shop import util\n")
    repo.write(
        "src/shop/ui/view.py", "import shop.api.views\nimport shop.services\nimport shop.util\n"
    )
    repo.write("src/shop/billing/invoice.py", "from shop.shipping import rates\n")
    repo.write("src/shop/api/views.py", "from shop.db import models\n")  # higher to lower: fine
    found = [(f["code"], f["path"], f["message"]) for f in findings(repo)]
    assert found == [
        (
            "AC402",
            "src/shop/billing/invoice.py",
            "new import shop.billing.invoice -> shop.shipping.rates breaks contract "
            "'shop.billing cannot depend on shop.shipping' (tach.toml)",
        ),
        (
            "AC401",
            "src/shop/db/models.py",
            "new import shop.db.models -> shop.services.orders breaks contract "
            "'layers interface > domain > data' (tach.toml)",
        ),
        (
            "AC402",
            "src/shop/ui/view.py",
            "new import shop.ui.view -> shop.services breaks contract "
            "'shop.ui depends on shop.api' (tach.toml)",
        ),
    ]


@pytest.mark.e2e
def test_tach_in_pyproject(repo: Repo) -> None:
    pyproject = (
        '[tool.tach]\nsource_roots = ["src"]\n\n[[tool.tach.modules]]\npath = "shop.db"\n'
        'depends_on = []\n\n[[tool.tach.modules]]\npath = "shop.api"\n'
    )
    shop(repo, "", **{"pyproject.toml": pyproject})
    repo.write("src/shop/db/models.py", "import shop.api\nimport shop.ui\n")
    assert [f["message"] for f in findings(repo)] == [
        "new import shop.db.models -> shop.api breaks contract 'shop.db depends on nothing' "
        "(pyproject.toml [tool.tach])"
    ]


@pytest.mark.e2e
def test_configs_are_read_at_the_base(repo: Repo) -> None:
    shop(repo, "", **{".importlinter": IMPORTLINTER_INI})
    # The change deletes the contract it breaks: the base's contracts still apply.
    repo.write(
        ".importlinter", IMPORTLINTER_INI.split("[importlinter:contract:ui-db]", maxsplit=1)[0]
    )
    repo.write("src/shop/ui/view.py", "from shop.db import models\n")
    assert [c for c, _, _ in places(repo)] == ["AC402"]
    (repo.root / ".importlinter").unlink()
    assert [c for c, _, _ in places(repo)] == ["AC402"]


@pytest.mark.e2e
def test_config_added_by_the_change_is_read_at_the_head(repo: Repo) -> None:
    shop(repo, "")
    repo.write(".importlinter", IMPORTLINTER_INI)
    repo.write("src/shop/ui/view.py", "from shop.db import models\n")
    assert [c for c, _, _ in places(repo)] == ["AC402"]


@pytest.mark.e2e
def test_contracts_from_chooses_the_files(repo: Repo) -> None:
    shop(
        repo,
        '[imports]\ncontracts-from = "none"\n',
        **{".importlinter": IMPORTLINTER_INI, "tach.toml": TACH},
    )
    repo.write("src/shop/ui/view.py", "from shop.db import models\n")
    assert places(repo) == []
    only_tach = '[imports]\ncontracts-from = ["tach"]\n'
    repo.commit("tach only", {"agentcheck.toml": only_tach, "src/shop/ui/view.py": "import os\n"})
    repo.write("src/shop/ui/view.py", "from shop.db import models\n")
    assert [f["message"].rsplit("(", 1)[1] for f in findings(repo)] == ["tach.toml)"]


JS_POLICY = """
[[imports.contracts]]
type = "layers"
name = "web layers"
layers = ["web/src/ui/**", "web/src/services/**", "web/src/db/**"]

[[imports.contracts]]
type = "forbidden"
name = "no lodash in db"
source = ["web/src/db/**"]
forbidden = ["lodash/**", "lodash"]
"""


@pytest.mark.e2e
def test_typescript_and_javascript(repo: Repo) -> None:
    files: dict[str, str | bytes] = {
        "agentcheck.toml": JS_POLICY,
        "web/tsconfig.json": (
            '{\n  // aliases\n  "compilerOptions": {"paths": {"@ui/*": ["src/ui/*"]},},\n}\n'
        ),
        "web/src/ui/view.tsx": "import { load } from '../services/load';\n",
        "web/src/services/load.ts": "import { rows } from '../db';\n",
        "web/src/db/index.ts": "export const rows = [];\n",
        "web/src/db/client.js": "const x = 1;\n",
    }
    repo.commit("base", files)
    repo.write(
        "web/src/db/index.ts",
        "// import { View } from '../ui/view';\nconst s = \"require('../ui/view')\";\n"
        "import { View } from '@ui/view';\nexport const rows = [];\n",
    )
    repo.write("web/src/db/client.js", "const x = 1;\nconst _ = require('lodash/fp');\n")
    repo.write(
        "web/src/services/load.ts", "import { rows } from '../db';\nexport * from '../db/client';\n"
    )
    found = [(f["code"], f["path"], f["line"], f["message"]) for f in findings(repo)]
    assert found == [
        (
            "AC402",
            "web/src/db/client.js",
            2,
            "new import web/src/db/client.js -> lodash/fp breaks contract 'no lodash in db' "
            "(agentcheck.toml)",
        ),
        (
            "AC401",
            "web/src/db/index.ts",
            3,
            "new import web/src/db/index.ts -> web/src/ui/view.tsx breaks contract 'web layers' "
            "(agentcheck.toml)",
        ),
    ]


GO_POLICY = """
[[imports.contracts]]
type = "forbidden"
name = "handlers never touch storage"
source = ["internal/handlers/**"]
forbidden = ["internal/storage/**"]

[[imports.contracts]]
type = "independence"
modules = ["services/*/**"]
"""


@pytest.mark.e2e
def test_go(repo: Repo) -> None:
    files: dict[str, str | bytes] = {
        "agentcheck.toml": GO_POLICY,
        "go.mod": "module example.com/app\n\ngo 1.22\n",
        "internal/handlers/h.go": 'package handlers\n\nimport (\n\t"fmt"\n)\n',
        "internal/storage/s.go": "package storage\n",
        "services/pay/pay.go": 'package pay\n\nimport "fmt"\n',
        "services/mail/mail.go": "package mail\n",
    }
    repo.commit("base", files)
    repo.write(
        "internal/handlers/h.go",
        'package handlers\n\nimport (\n\t"fmt"\n\t// "example.com/app/services/mail"\n'
        '\tst "example.com/app/internal/storage"\n)\n\n'
        'var s = "example.com/app/internal/storage"\n',
    )
    repo.write(
        "services/pay/pay.go",
        'package pay\n\nimport "fmt"\nimport "example.com/app/services/mail"\n',
    )
    found = [(f["code"], f["path"], f["line"], f["message"]) for f in findings(repo)]
    assert found == [
        (
            "AC402",
            "internal/handlers/h.go",
            6,
            "new import example.com/app/internal/handlers -> example.com/app/internal/storage "
            "breaks contract 'handlers never touch storage' (agentcheck.toml)",
        ),
        (
            "AC403",
            "services/pay/pay.go",
            4,
            "new import example.com/app/services/pay -> example.com/app/services/mail breaks "
            "contract 'services/*/** are independent' (agentcheck.toml)",
        ),
    ]


@pytest.mark.e2e
def test_no_contracts_no_findings_and_read_only(repo: Repo) -> None:
    shop(repo, "")
    repo.write("src/shop/db/models.py", "from shop.api import views\n")
    before = repo.snapshot()
    assert places(repo) == []
    shop_policy_repo_state = repo.snapshot()
    assert before == shop_policy_repo_state


@pytest.mark.e2e
def test_deleted_and_binary_files_are_skipped(repo: Repo) -> None:
    shop(repo)
    (repo.root / "src/shop/ui/view.py").unlink()
    repo.write("src/shop/ui/blob.py", b"\0\0import shop.db\n")
    assert places(repo) == []


@pytest.mark.e2e
def test_rules_and_explain(repo: Repo) -> None:
    listed = repo.run("rules")
    for code in ("AC401", "AC402", "AC403", "AC404"):
        assert code in listed.out
    explained = repo.run("explain", "AC401")
    assert explained.code == 0
    assert "allow-imports" in explained.out


def bad(repo: Repo, policy: str) -> str:
    repo.commit("base", {"agentcheck.toml": policy, "a.py": "import os\n"})
    repo.write("a.py", "import sys\n")
    result = repo.run("diff")
    assert result.code == 2, result.out
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1, result.err
    return result.err


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("policy", "fragments"),
    [
        (
            '[imports]\nroots = ["src"]\n\n[[imports.contracts]]\nname = "x"\nlayers = ["a"]\n',
            ("agentcheck.toml:4:", "imports.contracts[1]:", "has no type"),
        ),
        (
            '[[imports.contracts]]\ntype = "layers"\nlayers = ["a"]\n\n[[imports.contracts]]\n'
            'type = "layered"\n',
            (
                "agentcheck.toml:6:",
                "imports.contracts[2].type:",
                "'layered' is not a contract type",
            ),
        ),
        (
            '[[imports.contracts]]\ntype = "layers"\nname = "l"\nsource = ["a"]\nlayers = ["a"]\n',
            ("agentcheck.toml:4:", "imports.contracts[1].source:", "belongs to forbidden"),
        ),
        (
            '[[imports.contracts]]\ntype = "forbidden"\nsource = ["a"]\n',
            ("agentcheck.toml:1:", "imports.contracts[1]:", "needs forbidden"),
        ),
        (
            '[[imports.contracts]]\ntype = "forbidden"\nsource = ["a.b*"]\nforbidden = ["c"]\n',
            ("agentcheck.toml:3:", "imports.contracts[1].source:", "whole name"),
        ),
        (
            '[[imports.contracts]]\ntype = "layers"\nlayers = ["a | b : c"]\n',
            ("agentcheck.toml:3:", "imports.contracts[1].layers:", "mixes"),
        ),
        (
            '[[imports.contracts]]\ntype = "layers"\nlayers = ["a", "b | a"]\n',
            ("imports.contracts[1].layers:", "more than one layer"),
        ),
        (
            '[[imports.contracts]]\ntype = "independence"\nmodules = "a"\n',
            ("agentcheck.toml:3:", "imports.contracts[1].modules:", 'write ["a"]'),
        ),
        (
            '[[imports.contracts]]\ntype = "independence"\nmodules = ["a", "b"]\n'
            'ignore = ["a b"]\n',
            ("agentcheck.toml:4:", "imports.contracts[1].ignore:", "importer -> imported"),
        ),
        (
            '[imports]\ntype-checking-imports = "yes"\n',
            ("agentcheck.toml:2:", "imports.type-checking-imports", "true or false"),
        ),
        ('[imports]\nroots = ["../src"]\n', ("agentcheck.toml:2:", "imports.roots", "relative")),
        ('[imports]\ncontracts-from = "flake8"\n', ("agentcheck.toml:2:", "not a source")),
        (
            "[imports]\ncontracts = 3\n",
            ("agentcheck.toml:2:", "imports.contracts", "array of tables"),
        ),
    ],
)
def test_bad_contracts_in_policy(repo: Repo, policy: str, fragments: tuple[str, ...]) -> None:
    err = bad(repo, policy)
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"


@pytest.mark.e2e
def test_bad_contract_in_pyproject_names_the_table(repo: Repo) -> None:
    text = (
        '[tool.agentcheck]\n\n[[tool.agentcheck.imports.contracts]]\ntype = "forbidden"\n'
        'source = [1]\nforbidden = ["b"]\n'
    )
    repo.commit("base", {"pyproject.toml": text, "a.py": "import os\n"})
    result = repo.run("diff")
    assert result.code == 2
    assert "pyproject.toml [tool.agentcheck]:5: imports.contracts[1].source:" in result.err


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        (
            ".importlinter",
            "[importlinter\nroot_package = x\n",
            (".importlinter", "not a valid INI"),
        ),
        (
            ".importlinter",
            "[importlinter]\nroot_package = shop\n[importlinter:contract:one]\nname = One\n"
            "type = forbidden\nsource_modules = shop.ui\n",
            (".importlinter", "contract 'One'", "forbidden_modules"),
        ),
        (
            ".importlinter",
            "[importlinter]\n[importlinter:contract:one]\nname = One\ntype = independence\n"
            "modules =\n    shop.a*\n",
            ("contract 'One'", "modules", "whole name"),
        ),
        ("tach.toml", "[[modules]]\ndepends_on = []\n", ("tach.toml", "modules.path")),
        ("tach.toml", '[[modules]]\npath = "a"\ndepends_on = "b"\n', ("tach.toml", "depends_on")),
    ],
)
def test_bad_config_files(repo: Repo, name: str, text: str, fragments: tuple[str, ...]) -> None:
    repo.commit("base", {name: text, "a.py": "import os\n"})
    repo.write("a.py", "import sys\n")
    result = repo.run("diff")
    assert result.code == 2, result.out
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1, result.err
    for fragment in fragments:
        assert fragment in result.err, f"{fragment!r} not in {result.err!r}"


@pytest.mark.e2e
def test_namespace_packages_in_a_src_layout(repo: Repo) -> None:
    policy = (
        '[[imports.contracts]]\ntype = "forbidden"\nname = "views stay off storage"\n'
        'source = ["acme.views"]\nforbidden = ["acme.storage"]\n'
    )
    # No __init__.py anywhere: acme and its subpackages are namespace packages.
    repo.commit(
        "base",
        {
            "agentcheck.toml": policy,
            "src/acme/views/page.py": "import os\n",
            "src/acme/storage/disk/files.py": "x = 1\n",
        },
    )
    repo.write(
        "src/acme/views/page.py",
        "from acme.storage import disk\nfrom ..storage.disk import files\n",
    )
    found = findings(repo)
    assert [f["message"].split(" breaks")[0] for f in found] == [
        "new import acme.views.page -> acme.storage.disk",
        "new import acme.views.page -> acme.storage.disk.files",
    ]


@pytest.mark.e2e
def test_flat_layout_with_a_module_named_like_an_outside_package(repo: Repo) -> None:
    """app/git.py must not make app/ a source root because a contract names the outside "git"
    (agentcheck's own layout: checker/git.py beside a contract that forbids `git`)."""
    policy = (
        '[[imports.contracts]]\ntype = "forbidden"\nname = "ui stays off db"\n'
        'source = ["app.ui"]\nforbidden = ["app.db", "git"]\n'
    )
    repo.commit(
        "base",
        {
            "agentcheck.toml": policy,
            "app/__init__.py": "",
            "app/git.py": "",
            "app/db.py": "",
            "app/ui/__init__.py": "",
            "app/ui/view.py": "x = 1\n",
        },
    )
    repo.write("app/ui/view.py", "from app.db import models\nimport git\nx = 1\n")
    result = repo.run("diff", "--format", "json", "--select", "AC4")
    assert [(f["code"], f["line"]) for f in result.json()["findings"]] == [
        ("AC402", 1),
        ("AC402", 2),
    ]
