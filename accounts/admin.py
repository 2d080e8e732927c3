from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User
from surveys.roster import accounts_deletion_refusals

# Shown instead of the objects that block a deletion: their names would say who took part in a round.
STILL_NEEDED = "This account is still needed by a survey round. Deactivate it instead."


@admin.register(User)
class CandorUserAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refusals = accounts_deletion_refusals([user.pk for user in objs])
        if refusals or protected:
            protected = refusals or [STILL_NEEDED]
        return deleted, counts, perms_needed, protected


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ChangeLogAdmin(LogEntryAdmin):
    """The change log, read-only for everyone, superusers included: nothing here edits or deletes an entry."""

    search_fields = ["object_repr", "actor_email"]
    actions = None

    def has_delete_permission(self, request, obj=None):
        return False
