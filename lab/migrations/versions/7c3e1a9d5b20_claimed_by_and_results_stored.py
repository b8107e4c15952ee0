"""claimed_by and results_stored on submissions

Revision ID: 7c3e1a9d5b20
Revises: e3f593035074
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c3e1a9d5b20'
down_revision = 'e3f593035074'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=255), nullable=True))
        # Rows graded before this column existed count as written once.
        batch_op.add_column(sa.Column('results_stored', sa.Integer(), server_default='0',
                                      nullable=False))
    op.execute("UPDATE submissions SET results_stored = 1 WHERE status = 'done'")


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('results_stored')
        batch_op.drop_column('claimed_by')
