"""interview watchers: invite links and who watches an interview live

Revision ID: d4b7e91c2a55
Revises: c8a2f61d4e10
Create Date: 2026-12-04 21:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4b7e91c2a55'
down_revision = 'c8a2f61d4e10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'interview_watchers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('token_digest', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['interview_id'], ['interviews.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_digest'),
    )
    with op.batch_alter_table('interview_watchers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_watchers_interview_id'), ['interview_id'])
        batch_op.create_index(batch_op.f('ix_interview_watchers_user_id'), ['user_id'])
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_item', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('interviews', schema=None) as batch_op:
        batch_op.drop_column('current_item')
    with op.batch_alter_table('interview_watchers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_watchers_user_id'))
        batch_op.drop_index(batch_op.f('ix_interview_watchers_interview_id'))
    op.drop_table('interview_watchers')
