"""interview timeline: the editor's change sets and markers, for playback

Revision ID: a7d2c5e8f913
Revises: f1c9a3e7b642
Create Date: 2026-12-04 22:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d2c5e8f913'
down_revision = 'f1c9a3e7b642'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'interview_timeline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('item', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('events', sa.JSON(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['interview_id'], ['interviews.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('interview_timeline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_timeline_interview_id'), ['interview_id'])
    with op.batch_alter_table('interview_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timeline_files', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('timeline_session', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('timeline_version', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('interview_items', schema=None) as batch_op:
        batch_op.drop_column('timeline_version')
        batch_op.drop_column('timeline_session')
        batch_op.drop_column('timeline_files')
    with op.batch_alter_table('interview_timeline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_timeline_interview_id'))
    op.drop_table('interview_timeline')
