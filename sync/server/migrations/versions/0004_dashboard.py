"""the staff dashboard: accounts, sign-ins, khu phố, venues, the campaign

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_accounts',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('username')
    )
    op.create_table('staff_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['username'], ['staff_accounts.username'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_index('ix_staff_sessions_username', 'staff_sessions', ['username'])
    op.create_table('khu_pho',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('venues',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('khu_pho_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['khu_pho_id'], ['khu_pho.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_venues_khu_pho_id', 'venues', ['khu_pho_id'])
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('daily_target', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('campaign')
    op.drop_index('ix_venues_khu_pho_id', 'venues')
    op.drop_table('venues')
    op.drop_table('khu_pho')
    op.drop_index('ix_staff_sessions_username', 'staff_sessions')
    op.drop_table('staff_sessions')
    op.drop_table('staff_accounts')
