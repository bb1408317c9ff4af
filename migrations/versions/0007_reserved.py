"""Reserved for the study set-up work (area 7); empty until that area needs a schema change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 21:00:00

"""

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
