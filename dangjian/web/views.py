from django.http import HttpResponse


def dashboard(request):
    return HttpResponse("工作台")
