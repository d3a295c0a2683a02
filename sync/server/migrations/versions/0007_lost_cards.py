"""lost learner cards and the card that replaces each

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 18:45:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lost_cards',
        sa.Column('card_id', sa.String(length=16), nullable=False),
        sa.Column('new_card_id', sa.String(length=16), nullable=False),
        sa.Column('lost_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('card_id'),
    )
    op.create_index('ix_lost_cards_new_card_id', 'lost_cards', ['new_card_id'])


def downgrade() -> None:
    op.drop_index('ix_lost_cards_new_card_id', table_name='lost_cards')
    op.drop_table('lost_cards')
