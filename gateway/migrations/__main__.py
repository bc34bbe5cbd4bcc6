"""`python -m gateway.migrations`: bring the gateway's database (DATABASE_URL, else ROOMS_DB) up to date."""

from gateway.migrations import upgrade
from gateway.settings import get_settings
from gateway.sql import open_engine

if __name__ == "__main__":
    settings = get_settings()
    engine = open_engine(settings.database_url or settings.rooms_db)
    upgrade(engine)
    engine.dispose()
    print(f"{engine.url.render_as_string(hide_password=True)}: schema up to date")
