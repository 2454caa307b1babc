from django.urls import path

from deconfliction.operations import views

urlpatterns = [
    path("", views.operation_list, name="operation_list"),
    path("new/", views.operation_new, name="operation_new"),
    path("conflicts/", views.conflict_list, name="operation_conflicts"),
    path("conflicts/board/", views.conflict_board, name="operation_conflict_board"),
    path("conflicts/<int:pk>/resolve/", views.conflict_resolve, name="operation_conflict_resolve"),
    path("<int:pk>/", views.operation_detail, name="operation_detail"),
    path("<int:pk>/edit/", views.operation_edit, name="operation_edit"),
    path("<int:pk>/close/", views.operation_close, name="operation_close"),
]
