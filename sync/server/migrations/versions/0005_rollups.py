"""daily roll-ups the dashboard reads instead of the records

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 18:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rollup_state',
    sa.Column('device_id', sa.String(length=80), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('highest_seq', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('device_id')
    )
    op.create_table('rollup_activity',
    sa.Column('device_id', sa.String(length=80), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('venue_id', sa.String(length=64), nullable=False),
    sa.Column('lesson_id', sa.String(length=64), nullable=False),
    sa.Column('learner', sa.String(length=40), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('device_id', 'day', 'venue_id', 'lesson_id', 'learner')
    )
    op.create_index('ix_rollup_activity_day', 'rollup_activity', ['day'])
    op.create_table('rollup_steps',
    sa.Column('device_id', sa.String(length=80), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('lesson_id', sa.String(length=64), nullable=False),
    sa.Column('step_id', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('wrong', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('device_id', 'day', 'lesson_id', 'step_id')
    )
    op.create_table('rollup_last',
    sa.Column('device_id', sa.String(length=80), nullable=False),
    sa.Column('learner', sa.String(length=40), nullable=False),
    sa.Column('lesson_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('step_id', sa.String(length=64), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('device_id', 'learner', 'lesson_id')
    )


def downgrade() -> None:
    op.drop_table('rollup_last')
    op.drop_table('rollup_steps')
    op.drop_index('ix_rollup_activity_day', 'rollup_activity')
    op.drop_table('rollup_activity')
    op.drop_table('rollup_state')
