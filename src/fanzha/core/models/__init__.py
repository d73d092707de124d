from fanzha.core.models.areas import Area
from fanzha.core.models.organisations import Organisation
from fanzha.core.models.persons import Person
from fanzha.core.models.users import User, UserRole

__all__ = ["Area", "Organisation", "Person", "User", "UserRole"]
