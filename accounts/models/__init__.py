from .registries import DEMO_SOURCE, Profession, ProfessionalRecord, ProviderRegistryRecord
from .user import DocumentType, User, UserManager, login_name

__all__ = [
    "DEMO_SOURCE",
    "DocumentType",
    "Profession",
    "ProfessionalRecord",
    "ProviderRegistryRecord",
    "User",
    "UserManager",
    "login_name",
]
