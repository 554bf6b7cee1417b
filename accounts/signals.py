"""Receivers that forget the cached request user (accounts.backends) when its rows change."""

from entities.models import Membership

from .backends import forget_user, remember_user


def user_changed(sender, instance, **kwargs):
    forget_user(instance.pk)


def membership_changed(sender, instance, **kwargs):
    forget_user(instance.user_id)


def membership_sedes_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A membership's sedes changed: forget its user. From a sede's side, the users of the
    memberships it was added to or removed from, or of all of them before it is cleared."""
    if not reverse:  # instance: the membership
        if action.startswith("post_"):
            forget_user(instance.user_id)
        return
    if action in ("post_add", "post_remove"):
        memberships = Membership.objects.filter(pk__in=pk_set)
    elif action == "pre_clear":
        memberships = Membership.objects.filter(sedes=instance)
    else:
        return
    for user_id in memberships.values_list("user_id", flat=True):
        forget_user(user_id)


def entity_changed(sender, instance, **kwargs):
    # Its name and status travel with its members' cached roles.
    for user_id in Membership.objects.filter(entity=instance).values_list("user_id", flat=True):
        forget_user(user_id)


def user_logged_in(sender, request, user, **kwargs):
    remember_user(user.pk)
