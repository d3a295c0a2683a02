"""devices, enrollment tokens and records

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 20:31:13.542920
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('devices',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('venue_id', sa.String(length=64), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_venue_id'), ['venue_id'], unique=False)

    op.create_table('enrollment_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('venue_id', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('device_id', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_table('records',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.String(length=80), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('lesson_id', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('learner', sa.String(length=40), nullable=True),
    sa.Column('venue_id', sa.String(length=64), nullable=False),
    sa.Column('device_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('boot_id', sa.String(length=36), nullable=False),
    sa.Column('monotonic_s', sa.Float(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('device_id', 'seq', name='uq_records_device_seq')
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_records_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_lesson_id'), ['lesson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_type'), ['type'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_venue_id'), ['venue_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_venue_id'))
        batch_op.drop_index(batch_op.f('ix_records_type'))
        batch_op.drop_index(batch_op.f('ix_records_lesson_id'))
        batch_op.drop_index(batch_op.f('ix_records_device_id'))

    op.drop_table('records')
    op.drop_table('enrollment_tokens')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_venue_id'))

    op.drop_table('devices')
