"""Reserved for the study set-up work (area 4); empty until that area needs a schema change.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 21:00:00

"""

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
