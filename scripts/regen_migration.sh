#!/usr/bin/env bash
# Until the first release the schema is one migration; regenerate it from the models.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f storage/migrations/versions/0001_initial.py
.venv/bin/python - "$tmp" <<'PY'
import sys
from alembic import command
from storage.migrate import alembic_config
cfg = alembic_config(f"sqlite:///{sys.argv[1]}/empty.db")
command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001_initial")
PY
mv storage/migrations/versions/0001_initial_*.py storage/migrations/versions/0001_initial.py
rm -rf "$tmp"
.venv/bin/ruff format -q storage/migrations/versions/0001_initial.py || true
echo "regenerated storage/migrations/versions/0001_initial.py"
