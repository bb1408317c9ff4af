"""Reserved for the study set-up work (area 6); empty until that area needs a schema change.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 21:00:00

"""

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
