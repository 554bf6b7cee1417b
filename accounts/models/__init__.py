from .user import DocumentType, User, UserManager, login_name

__all__ = ["DocumentType", "User", "UserManager", "login_name"]
