"""pack uploads

Revision ID: 23275f6b7dc8
Revises: 0f0f6807e678
Create Date: 2026-11-22 05:46:49.978595

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '23275f6b7dc8'
down_revision = '0f0f6807e678'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pack_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('pack_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['pack_id'], ['packs.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pack_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pack_uploads_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pack_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pack_uploads_user_id'))

    op.drop_table('pack_uploads')
