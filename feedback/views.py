from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from feedback.selectors import receipt_status


class ReceiptForm(forms.Form):
    code = forms.CharField(label="Receipt code", max_length=40, strip=True)


@require_http_methods(["GET", "POST"])
def receipt_check(request):
    """Public: anyone holding a receipt code may check that it was counted. Nothing else is shown."""
    form = ReceiptForm(request.POST or None)
    status = receipt_status(form.cleaned_data["code"]) if form.is_valid() else None
    return render(request, "feedback/receipt_check.html", {"form": form, "status": status})
