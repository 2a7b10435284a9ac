"""The site's URLs plus a bare Django view: the floor a page served by Django pays on this server."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"<!DOCTYPE html><title>bare</title><p>Bare Django view.</p>")


urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]
