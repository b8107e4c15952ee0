"""submit statistics tables, filled from the existing history

Revision ID: b5d17a3c9e42
Revises: 7c3e1a9d5b20
Create Date: 2026-12-03 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5d17a3c9e42'
down_revision = '7c3e1a9d5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('challenge_day_stats',
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Integer(), nullable=False),
    sa.Column('first_passes', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], ),
    sa.PrimaryKeyConstraint('challenge_id', 'day')
    )
    op.create_table('challenge_day_failures',
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('test_name', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], ),
    sa.PrimaryKeyConstraint('challenge_id', 'day', 'test_name')
    )
    op.create_table('challenge_progress',
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('first_try_at', sa.DateTime(), nullable=False),
    sa.Column('first_pass_at', sa.DateTime(), nullable=True),
    sa.Column('solve_seconds', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('challenge_id', 'user_id')
    )
    with op.batch_alter_table('challenge_progress', schema=None) as batch_op:
        batch_op.create_index('ix_challenge_progress_solve', ['challenge_id', 'solve_seconds'],
                              unique=False)
        batch_op.create_index('ix_challenge_progress_pass',
                              ['challenge_id', 'first_pass_at', 'solve_seconds'], unique=False)
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_user_challenge_id',
                              ['user_id', 'challenge_id', 'id'], unique=False)
    # Fill the new tables from the history already stored.  The recount is the one
    # `lab db stats-rebuild` runs; it reads only columns this revision knows.
    from lab.stats.repair import rebuild

    rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_user_challenge_id')
    with op.batch_alter_table('challenge_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_challenge_progress_pass')
        batch_op.drop_index('ix_challenge_progress_solve')
    op.drop_table('challenge_progress')
    op.drop_table('challenge_day_failures')
    op.drop_table('challenge_day_stats')
