"""The layers keep their promised direction of imports."""

import subprocess
import sys


def test_engine_imports_neither_flask_nor_sqlalchemy():
    code = (
        "import sys, delphi.engine\n"
        "loaded = sorted(m for m in ('flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug')"
        " if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""


def test_charts_and_engine_do_not_import_models():
    code = (
        "import sys, delphi.engine, delphi.charts\n"
        "print('delphi.models' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
