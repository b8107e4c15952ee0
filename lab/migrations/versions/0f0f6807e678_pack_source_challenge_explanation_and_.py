"""pack source, challenge explanation and questions

Revision ID: 0f0f6807e678
Revises: eb7bcf2863ad
Create Date: 2026-11-22 05:42:10.956640

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0f0f6807e678'
down_revision = 'eb7bcf2863ad'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('questions', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('packs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Text(), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('packs', schema=None) as batch_op:
        batch_op.drop_column('source')

    with op.batch_alter_table('challenges', schema=None) as batch_op:
        batch_op.drop_column('questions')
        batch_op.drop_column('explanation')

