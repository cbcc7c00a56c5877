"""Extension singletons, created unbound so that any module can import them without cycles.

AppBuilder is deliberately NOT a singleton here: it keeps its views and menu on the instance, so
a second app in the same process (tests build several) would inherit the first one's state.
create_app() builds one per app; code reaches it as `current_app.appbuilder`.
"""

from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate

db = SQLA(model_class=Model)
mail = Mail()
migrate = Migrate()
