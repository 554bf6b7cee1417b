from .registries import DEMO_SOURCE, Profession, ProfessionalRecord, ProviderRegistryRecord
from .session import Session
from .user import DocumentType, User, UserManager, login_name

__all__ = [
    "DEMO_SOURCE",
    "DocumentType",
    "Profession",
    "ProfessionalRecord",
    "ProviderRegistryRecord",
    "Session",
    "User",
    "UserManager",
    "login_name",
]
