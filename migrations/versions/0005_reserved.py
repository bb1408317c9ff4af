"""Reserved for the study set-up work (area 5); empty until that area needs a schema change.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 21:00:00

"""

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
