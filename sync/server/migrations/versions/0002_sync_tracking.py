"""heartbeats, boot anchors, re-based record times and refused seqs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('heartbeat', sa.JSON(), nullable=True))
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rebased_time', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('time_basis', sa.String(length=16), nullable=True))
    op.create_table('boot_anchors',
    sa.Column('device_id', sa.String(length=80), nullable=False),
    sa.Column('boot_id', sa.String(length=36), nullable=False),
    sa.Column('offset_s', sa.Float(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('device_id', 'boot_id')
    )
    op.create_table('rejected_seqs',
    sa.Column('device_id', sa.String(length=80), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('device_id', 'seq')
    )


def downgrade() -> None:
    op.drop_table('rejected_seqs')
    op.drop_table('boot_anchors')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('time_basis')
        batch_op.drop_column('rebased_time')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('heartbeat')
        batch_op.drop_column('last_heartbeat_at')
