"""Receivers that forget the cached request user (accounts.backends) when its rows change."""

from entities.models import Membership

from .backends import forget_user, remember_user


def user_changed(sender, instance, **kwargs):
    forget_user(instance.pk)


def membership_changed(sender, instance, **kwargs):
    forget_user(instance.user_id)


def entity_changed(sender, instance, **kwargs):
    # Its name and status travel with its members' cached roles.
    for user_id in Membership.objects.filter(entity=instance).values_list("user_id", flat=True):
        forget_user(user_id)


def user_logged_in(sender, request, user, **kwargs):
    remember_user(user.pk)
