"""The WSGI application, for servers started from inside a management command."""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
