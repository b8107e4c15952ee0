"""interview notes and reviews: an interviewer's time-stamped notes, rubric and summary

Revision ID: f1c9a3e7b642
Revises: d4b7e91c2a55
Create Date: 2026-12-04 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f1c9a3e7b642'
down_revision = 'd4b7e91c2a55'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'interview_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('at_seconds', sa.Double(), nullable=False),
        sa.Column('item', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('file', sa.String(length=200), nullable=True),
        sa.Column('line_from', sa.Integer(), nullable=True),
        sa.Column('line_to', sa.Integer(), nullable=True),
        sa.Column('quote', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.ForeignKeyConstraint(['interview_id'], ['interviews.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('interview_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_notes_interview_id'), ['interview_id'])
    op.create_table(
        'interview_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('interview_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('shared_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.ForeignKeyConstraint(['interview_id'], ['interviews.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('interview_id', 'author_id'),
    )
    with op.batch_alter_table('interview_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_reviews_interview_id'), ['interview_id'])


def downgrade():
    with op.batch_alter_table('interview_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_reviews_interview_id'))
    op.drop_table('interview_reviews')
    with op.batch_alter_table('interview_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_notes_interview_id'))
    op.drop_table('interview_notes')
