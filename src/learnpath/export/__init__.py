"""Roadmap exports: JSON, a folder of markdown files, one self-contained HTML page.

Used by ``learnpath export ROADMAP_ID --format md|json|html`` and the API's
``/roadmaps/{id}/export``; see :mod:`learnpath.export.render`.
"""
