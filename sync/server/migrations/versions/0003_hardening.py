"""enrollment tokens keep the secret hash they were spent on; seqs bounded to 32 bits

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 17:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

SEQ_RANGE = "seq >= 1 AND seq <= 2147483647"


def upgrade() -> None:
    with op.batch_alter_table('enrollment_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_hash', sa.String(length=64), nullable=True))
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_check_constraint('ck_records_seq_range', SEQ_RANGE)
    with op.batch_alter_table('rejected_seqs', schema=None) as batch_op:
        batch_op.create_check_constraint('ck_rejected_seqs_seq_range', SEQ_RANGE)


def downgrade() -> None:
    with op.batch_alter_table('rejected_seqs', schema=None) as batch_op:
        batch_op.drop_constraint('ck_rejected_seqs_seq_range', type_='check')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_constraint('ck_records_seq_range', type_='check')
    with op.batch_alter_table('enrollment_tokens', schema=None) as batch_op:
        batch_op.drop_column('secret_hash')
