from django.urls import path

from surveys.views import changes, employee, home, manage, roster

app_name = "surveys"
urlpatterns = [
    path("me/", employee.employee_home, name="employee_home"),
    path("rounds/<uuid:round_id>/", employee.round_answer, name="round_answer"),
    path("feedback/", employee.open_feedback, name="open_feedback"),
    path("manage/", home.manage_home, name="manage_home"),
    path("manage/questions/", manage.question_list, name="question_list"),
    path("manage/questions/new/", manage.question_new, name="question_new"),
    path("manage/questions/seed/", manage.question_library_seed, name="question_library_seed"),
    path("manage/questions/<uuid:question_id>/edit/", manage.question_edit, name="question_edit"),
    path("manage/questions/<uuid:question_id>/move/", manage.question_move, name="question_move"),
    path("manage/questions/<uuid:question_id>/archive/", manage.question_archive, name="question_archive"),
    path("manage/questions/<uuid:question_id>/unarchive/", manage.question_unarchive, name="question_unarchive"),
    path("manage/rounds/new/", manage.round_new, name="round_new"),
    path("manage/rounds/<uuid:round_id>/", manage.round_detail, name="round_detail"),
    path("manage/rounds/<uuid:round_id>/questions/", manage.round_questions, name="round_questions"),
    path("manage/rounds/<uuid:round_id>/schedule/", manage.round_schedule, name="round_schedule"),
    path("manage/rounds/<uuid:round_id>/unschedule/", manage.round_unschedule, name="round_unschedule"),
    path("manage/rounds/<uuid:round_id>/open/", manage.round_open, name="round_open"),
    path("manage/rounds/<uuid:round_id>/close/", manage.round_close, name="round_close"),
    path("manage/roster/", roster.roster_page, name="roster"),
    path("manage/roster/example.csv", roster.roster_example, name="roster_example"),
    path("manage/roster/imports/<uuid:import_id>/", roster.roster_import_preview, name="roster_import_preview"),
    path("manage/roster/imports/<uuid:import_id>/apply/", roster.roster_import_apply, name="roster_import_apply"),
    path("manage/roster/imports/<uuid:import_id>/cancel/", roster.roster_import_cancel, name="roster_import_cancel"),
    path("hr/changes/", changes.change_log, name="change_log"),
]
