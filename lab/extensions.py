"""Flask extensions, created unbound and attached in the app factory."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# No limit applies unless a route declares one (lab/ratelimit.py); the key given here is
# the client address, which each limit may replace (the signed-in user, the email).
limiter = Limiter(key_func=get_remote_address, key_prefix="lab", strategy="fixed-window",
                  in_memory_fallback_enabled=True)
