"""fractional scores

Revision ID: ef70145caf8b
Revises: 23275f6b7dc8
Create Date: 2026-11-22 06:00:40.872666

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ef70145caf8b'
down_revision = '23275f6b7dc8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.alter_column('score',
               existing_type=sa.INTEGER(),
               type_=sa.Double(),
               existing_nullable=True)



def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.alter_column('score',
               existing_type=sa.Double(),
               type_=sa.INTEGER(),
               existing_nullable=True)

