"""draft versions: a save names the version it was based on

Revision ID: c8a2f61d4e10
Revises: b5d17a3c9e42
Create Date: 2026-12-04 12:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c8a2f61d4e10'
down_revision = 'b5d17a3c9e42'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows start at version 0, the version an editor page with no draft sends.
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('interview_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_version', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('interview_items', schema=None) as batch_op:
        batch_op.drop_column('draft_version')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_column('version')
