"""Migrations go up from an older schema with data in it, and down again, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from punchout.persistence import db as dbmod
from punchout.persistence.models import Base
from testkit.constants import TEST_DB_URL
from testkit.database import reset_postgres


def test_upgrade_with_data_and_downgrade(tmp_path):
    url = TEST_DB_URL or f"sqlite:///{tmp_path}/m.db"
    if TEST_DB_URL:
        reset_postgres(url)
    dbmod.upgrade(url, "0001")
    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("insert into organisations(id,name,allowed_return_hosts,created_at) "
                       "values (1,'o','',CURRENT_TIMESTAMP)"))
        c.execute(text("insert into users(id,organisation_id,email,name,password_hash,roles,"
                       "active,created_at) values (1,1,'a@b','','x','buyer',true,"
                       "CURRENT_TIMESTAMP)"))
        c.execute(text("insert into suppliers(id,organisation_id,name,protocol,setup_url,"
                       "from_domain,from_identity,to_domain,to_identity,sender_domain,"
                       "sender_identity,deployment_mode,settings_json,created_at) values "
                       "(1,1,'s','cxml','http://x','N','a','N','b','N','a','test','{}',"
                       "CURRENT_TIMESTAMP)"))
        c.execute(text("insert into punchout_sessions(id,organisation_id,user_id,supplier_id,"
                       "operation,status,buyer_cookie,created_at,expires_at) values "
                       "(1,1,1,1,'create','open','c',CURRENT_TIMESTAMP,CURRENT_TIMESTAMP)"))
        c.execute(text("insert into requisitions(id,organisation_id,user_id,supplier_id,"
                       "session_id,status,operation_allowed,warnings_json,created_at,"
                       "updated_at) values (1,1,1,1,1,'draft','edit','[]',CURRENT_TIMESTAMP,"
                       "CURRENT_TIMESTAMP)"))
        c.execute(text("update punchout_sessions set requisition_id=1"))
    dbmod.upgrade(url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    cols = {c["name"] for c in inspect(engine).get_columns("punchout_sessions")}
    assert {"agreement_id", "started_at"} <= cols
    with engine.connect() as c:
        assert c.execute(text("select requisition_id from punchout_sessions")).scalar() == 1
    command.downgrade(dbmod.alembic_config(url), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    if TEST_DB_URL:
        reset_postgres(url)
        dbmod.upgrade(url)


def test_migrations_match_the_models(database_url):
    """Autogenerate finds nothing to do: the migrations create exactly what the models say."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
