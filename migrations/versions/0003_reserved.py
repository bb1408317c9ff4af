"""Reserved for the study set-up work (area 3); empty until that area needs a schema change.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:00:00

"""

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
