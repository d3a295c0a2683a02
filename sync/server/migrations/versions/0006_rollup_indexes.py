"""covering indexes for the overview's roll-up queries

Each overview query then reads one index in the order it groups by, instead of the table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:20:00
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_rollup_steps_step': ('rollup_steps', ['lesson_id', 'step_id', 'day', 'answers', 'wrong']),
    'ix_rollup_activity_venue': ('rollup_activity', ['venue_id', 'learner', 'day', 'started', 'completed']),
    'ix_rollup_activity_learner': ('rollup_activity', ['learner', 'day']),
    'ix_rollup_activity_lesson': ('rollup_activity', ['lesson_id', 'day', 'started', 'completed']),
    'ix_rollup_last_step': ('rollup_last', ['completed', 'lesson_id', 'step_id', 'day']),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table)
