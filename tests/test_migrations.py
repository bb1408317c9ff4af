"""The migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect


def test_migrations_and_models_agree(db):
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, db.metadata) == []


def test_results_index_exists(db):
    indexes = inspect(db.session.connection()).get_indexes("answer")
    columns = {tuple(index["column_names"]) for index in indexes}
    assert ("round_item_id", "dimension_id", "value") in columns


def test_constraint_names_follow_the_convention(db):
    inspector = inspect(db.session.connection())
    uniques = {constraint["name"] for constraint in inspector.get_unique_constraints("answer")}
    assert "uq_answer_participant_id" in uniques or any(
        name and name.startswith("uq_answer_") for name in uniques)
    foreign = {key["name"] for key in inspector.get_foreign_keys("answer")}
    assert "fk_answer_round_item_id_round_item" in foreign
